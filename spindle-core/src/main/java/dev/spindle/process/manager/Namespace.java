package dev.spindle.process.manager;

import java.io.Serial;
import java.io.Serializable;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Named attributes a {@link Manager} holds, shared by every process that has the namespace:
 * Python's {@code manager.Namespace()}, where {@code ns.x = 1} is {@code ns.set("x", 1)} and
 * {@code ns.x} is {@code ns.get("x")}.
 *
 * <p>Each method is one atomic call to the manager. An attribute's value is a copy, as in Python:
 * {@code ((List) ns.get("items")).add(x)} changes nothing in the manager; set the attribute again,
 * or make it a managed list. Values follow {@link ManagedMap}'s rules (no {@code null}; classes
 * on the manager's allow-list).
 */
public final class Namespace implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ManagedMap<String, Object> attributes;

    Namespace(ManagedMap<String, Object> attributes) {
        this.attributes = attributes;
    }

    /**
     * The attribute's value.
     *
     * @throws NoSuchElementException if the namespace has no attribute {@code name} (Python's
     *         {@code AttributeError})
     */
    public Object get(String name) {
        Object value = attributes.get(Objects.requireNonNull(name, "name"));
        if (value == null) {
            throw new NoSuchElementException("the namespace has no attribute '" + name + "'");
        }
        return value;
    }

    /** The attribute's value, cast to {@code type}, or {@code fallback} when there is none. */
    public <T> T get(String name, Class<T> type, T fallback) {
        Object value = attributes.get(Objects.requireNonNull(name, "name"));
        return value == null ? fallback : type.cast(value);
    }

    /** Sets the attribute, replacing any value it had. */
    public void set(String name, Object value) {
        attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    }

    /** Whether the namespace has the attribute: Python's {@code hasattr}. */
    public boolean has(String name) {
        return attributes.containsKey(Objects.requireNonNull(name, "name"));
    }

    /** Removes the attribute: Python's {@code del ns.x}; returns whether there was one. */
    public boolean remove(String name) {
        return attributes.remove(Objects.requireNonNull(name, "name")) != null;
    }

    /** The attributes' names, in the order they were first set. */
    public Set<String> names() {
        return attributes.copy().keySet();
    }

    /** The attributes as a {@link ManagedMap}: the same attributes, a map's methods. */
    public ManagedMap<String, Object> asMap() {
        return attributes;
    }

    /** {@code Namespace(x=1, y='a')}, as Python prints one. */
    @Override
    public String toString() {
        return attributes.copy().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "Namespace(", ")"));
    }
}
