package org.example.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.net.StreamServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EchoExampleTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void whatTheClientSendsComesBack() throws Exception {
        assertEquals("hello, spindle \u2713", EchoExample.roundTrip("hello, spindle \u2713"));
    }

    @Test
    void spindleIsTheModuleDevSpindleCoreAndExportsOnlyItsApi() {
        Module core = StreamServer.class.getModule();
        assertEquals("dev.spindle.core", core.getName());
        assertTrue(core.isExported("dev.spindle.net"));
        assertTrue(core.isExported("dev.spindle.codec"));
        assertTrue(core.isExported("dev.spindle.process"));
        assertFalse(core.isExported("dev.spindle.internal"));
    }
}
