package dev.clipsearch.store.qdrant;

import io.qdrant.client.grpc.Common.PointId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Maps the store's string ids to Qdrant point ids. Qdrant only accepts unsigned integers and UUIDs
 * as point ids, so every record id becomes a name-based UUID (RFC 4122 version 5: SHA-1 of {@link
 * #NAMESPACE} and the id's UTF-8 bytes). The mapping is deterministic, so an upsert rerun replaces
 * instead of duplicating, and any client (Python: {@code uuid.uuid5(NAMESPACE, id)}) computes the
 * same point id. The original id is kept in the payload field {@code id}.
 */
final class PointIds {

    /**
     * The namespace of clip-search record ids: {@code uuid5(NAMESPACE_URL,
     * "https://clipsearch.dev/image_id")}.
     */
    static final UUID NAMESPACE =
            uuid5(
                    UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
                    "https://clipsearch.dev/image_id");

    private PointIds() {}

    /** The UUID of a record id. */
    static UUID uuidFor(String id) {
        return uuid5(NAMESPACE, id);
    }

    /** The Qdrant point id of a record id. */
    static PointId pointIdFor(String id) {
        return PointId.newBuilder().setUuid(uuidFor(id).toString()).build();
    }

    /** A name-based UUID, version 5 (SHA-1), as RFC 4122 section 4.3 defines it. */
    static UUID uuid5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available in this JVM", e);
        }
        sha1.update(
                ByteBuffer.allocate(16)
                        .putLong(namespace.getMostSignificantBits())
                        .putLong(namespace.getLeastSignificantBits())
                        .array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bb = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bb.getLong(), bb.getLong());
    }
}
