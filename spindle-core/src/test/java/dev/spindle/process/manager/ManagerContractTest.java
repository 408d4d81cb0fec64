package dev.spindle.process.manager;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.pool.Pool;
import dev.spindle.process.pool.ProcessPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

/** The {@link SharedObjects} contract for a local {@link Manager}, with a {@link ProcessPool}'s workers as the other processes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerContractTest extends SharedObjectsContract {

    private static Manager manager;
    private static ProcessPool pool;

    @BeforeAll
    static void startTheManagerAndAPool() throws Exception {
        manager = Manager.start();
        pool = ProcessPool.create(2);
    }

    @AfterAll
    static void closeThem() throws Exception {
        pool.close();
        manager.close();
        JavaCommand.noChildOutlivesTheTests();
    }

    @Override
    protected SharedObjects objects() {
        return manager;
    }

    @Override
    protected Pool pool() {
        return pool;
    }
}
