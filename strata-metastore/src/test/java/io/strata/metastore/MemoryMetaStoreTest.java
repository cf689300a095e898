package io.strata.metastore;

class MemoryMetaStoreTest extends MetaStoreContractTest {
    @Override
    MetaStore open(TickingClock clock) {
        return new MemoryMetaStore(clock);
    }
}
