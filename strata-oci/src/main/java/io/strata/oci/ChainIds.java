package io.strata.oci;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Chain IDs name a stack of layers: ChainID(L0) = DiffID(L0);
 * ChainID(L0…Ln) = sha256(ChainID(L0…Ln-1) + " " + DiffID(Ln)). A committed snapshot named by
 * a chain ID is the unpacked form of that stack.
 */
public final class ChainIds {
    private ChainIds() {}

    /** One chain ID per layer: element i names layers 0…i. */
    public static List<String> of(List<String> diffIds) {
        var out = new ArrayList<String>(diffIds.size());
        String chain = null;
        for (String diffId : diffIds) {
            Digests.require(diffId);
            chain = chain == null ? diffId
                    : Digests.of((chain + " " + diffId).getBytes(StandardCharsets.US_ASCII));
            out.add(chain);
        }
        return List.copyOf(out);
    }
}
