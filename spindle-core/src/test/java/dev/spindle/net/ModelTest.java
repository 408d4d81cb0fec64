package dev.spindle.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelTest {

    @Test
    void everyNameTurnsIntoTheModelOfThatName() {
        assertThat(Model.names()).containsExactly("sync", "thread", "pool", "virtual", "event-loop", "async", "process");
        for (String name : Model.names()) {
            assertThat(Model.of(name).name()).isEqualTo(name);
            assertThat(Model.of(name.toUpperCase()).name()).isEqualTo(name);
        }
        assertThat(Model.of("event_loop").name()).isEqualTo("event-loop");
        assertThat(Model.of("pool").threads()).isEqualTo(Model.DEFAULT_POOL_THREADS);
        assertThat(Model.of("pool").queueCapacity()).isEqualTo(Model.DEFAULT_POOL_QUEUE);
        assertThat(Model.of("event-loop").threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void anUnknownNameIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> Model.of("fork")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'fork' is not a model; choose one of sync, thread, pool, virtual, event-loop, async, process");
    }

    @Test
    void onlyThePoolAndTheEventLoopTakeAThreadCountAndOnlyThePoolAQueue() {
        assertThat(Model.of("pool").withThreads(3).withQueueCapacity(7)).hasToString("pool(3, queue 7)");
        assertThat(Model.eventLoop(1).withThreads(4).threads()).isEqualTo(4);
        assertThatThrownBy(() -> Model.VIRTUAL.withThreads(2)).hasMessage("the virtual model has no thread count to set");
        assertThatThrownBy(() -> Model.eventLoop(2).withQueueCapacity(2))
                .hasMessage("the event-loop model has no queue; only the pool has");
        assertThatThrownBy(() -> Model.pool(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBlockingModelsRunHandlersAndTheOthersProtocolsOnly() {
        assertThat(Models.blocking()).allMatch(Model::runsBlockingHandlers);
        assertThat(Models.nonBlocking()).noneMatch(Model::runsBlockingHandlers);
    }

    @Test
    void aServerRunsOnACallersEventLoopGroupAndLeavesItRunning() throws Exception {
        try (EventLoopGroup group = EventLoopGroup.open(1, "shared")) {
            for (int round = 0; round < 2; round++) {
                try (StreamServer server = StreamServer.builder().model(Model.eventLoop(group))
                        .protocol(EchoProtocol::new).open()) {
                    server.start();
                    try (Connection c = Client.connect("127.0.0.1", server.port(), java.time.Duration.ofSeconds(5))) {
                        c.readTimeout(java.time.Duration.ofSeconds(10));
                        c.sendAll("shared".getBytes());
                        assertThat(c.recvExactly(6)).isEqualTo("shared".getBytes());
                    }
                }
                assertThat(group.threads()).allMatch(Thread::isAlive);
            }
            assertThatThrownBy(() -> Model.eventLoop(group).withThreads(2)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
