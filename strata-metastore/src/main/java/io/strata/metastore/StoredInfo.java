package io.strata.metastore;

import io.strata.api.Info;
import io.strata.api.Usage;

/** A full record: id, public info and stored usage (zero until committed). */
public record StoredInfo(long id, Info info, Usage usage) {
}
