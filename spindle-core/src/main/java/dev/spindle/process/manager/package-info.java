/**
 * Managers: a process that holds shared objects, and the proxies that reach them from every
 * process, on this machine or another. Python's {@code multiprocessing.Manager()} and
 * {@code BaseManager}. Start with {@link dev.spindle.process.manager.Manager}.
 *
 * <ul>
 *   <li>What a manager holds: {@link dev.spindle.process.manager.ManagedMap} (a
 *   {@link java.util.concurrent.ConcurrentMap}), {@link dev.spindle.process.manager.ManagedList}
 *   (a {@link java.util.List}), {@link dev.spindle.process.manager.Namespace},
 *   {@link dev.spindle.process.manager.ManagedValue}, the queues and synchronization tools of
 *   {@code process.queue} and {@code process.sync}, and registered interfaces.</li>
 *   <li>What a caller sees when it goes wrong: {@link dev.spindle.process.manager.ManagerUnreachableException}
 *   (the manager has ended) and {@link dev.spindle.process.manager.ManagedMethodException} (a
 *   held object's method threw).</li>
 * </ul>
 *
 * <p>Underneath, every held object is a {@code ServedObject} of the process layer's one wire,
 * called by method signature with arguments encoded by the manager's serializer; nothing is
 * decoded before the caller has proved the run's (or the served manager's) key.
 */
package dev.spindle.process.manager;
