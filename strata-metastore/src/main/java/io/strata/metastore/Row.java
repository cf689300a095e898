package io.strata.metastore;

import io.strata.api.Kind;
import io.strata.api.Usage;
import java.time.Instant;

/**
 * One stored record without its labels, as both stores hand it to {@link ReadOps}.
 *
 * @param parentId  0 for none
 * @param parentKey "" for none
 */
record Row(long id, String key, Kind kind, long parentId, String parentKey, Instant created, Instant updated,
           Usage usage) {
}
