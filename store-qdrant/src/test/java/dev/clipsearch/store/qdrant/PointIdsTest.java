package dev.clipsearch.store.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PointIdsTest {

    @Test
    void uuid5MatchesRfc4122() {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        assertEquals(
                UUID.fromString("886313e1-3b8a-5372-9b90-0c9aee199e5d"),
                PointIds.uuid5(
                        UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org"));
    }

    @Test
    void recordIdsMapLikePythonUuid5() {
        // Python: ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://clipsearch.dev/image_id");
        // uuid.uuid5(ns, id)
        assertEquals(UUID.fromString("cf3c70ff-d5dc-569f-82cd-34ae9299480d"), PointIds.NAMESPACE);
        assertEquals(
                UUID.fromString("49ceef26-487e-5963-85c0-a52f8e9f2cd4"),
                PointIds.uuidFor("img-0001"));
        assertEquals(
                UUID.fromString("4716709f-2a30-5fee-a51c-bc0a7280377b"), PointIds.uuidFor("r0"));
    }

    @Test
    void deterministicVersion5AndDistinct() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            UUID u = PointIds.uuidFor("id-" + i);
            assertEquals(u, PointIds.uuidFor("id-" + i));
            assertEquals(5, u.version());
            assertEquals(2, u.variant());
            seen.add(u);
        }
        assertEquals(10_000, seen.size());
        assertNotEquals(PointIds.uuidFor("ä"), PointIds.uuidFor("a"));
        assertEquals(PointIds.uuidFor("r0").toString(), PointIds.pointIdFor("r0").getUuid());
    }
}
