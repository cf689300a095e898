package io.strata.codec.tar;

/** What a tar entry makes on disk. GNU sparse files are {@link #REGULAR} with a sparse map. */
public enum EntryType {
    REGULAR('0'),
    HARDLINK('1'),
    SYMLINK('2'),
    CHAR_DEVICE('3'),
    BLOCK_DEVICE('4'),
    DIRECTORY('5'),
    FIFO('6');

    private final byte flag;

    EntryType(char flag) {
        this.flag = (byte) flag;
    }

    /** The ustar type flag written for this type. */
    public byte flag() {
        return flag;
    }
}
