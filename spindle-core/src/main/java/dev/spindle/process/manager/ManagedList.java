package dev.spindle.process.manager;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.RandomAccess;

/**
 * A list a {@link Manager} holds, as every process that has it sees it: Python's
 * {@code ListProxy} from {@code manager.list()}, as a {@link List}. Every method is one call to the
 * manager and atomic there; pass the list to tasks or put it in managed maps and lists, and every
 * copy is the same list. {@link Manager#array} gives a fixed-size one (Python's
 * {@code manager.Array}): {@code set} works, {@code add} and {@code remove} throw
 * {@link UnsupportedOperationException}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Elements may be {@code null}. Positions out of range throw
 *   {@link IndexOutOfBoundsException}, as the manager's own list threw it.</li>
 *   <li>{@link #iterator()} walks a copy taken when iteration starts (one call, weakly
 *   consistent, never {@link java.util.ConcurrentModificationException}); its {@code remove}
 *   removes by position from the list, so another process that changes the list meanwhile may
 *   shift what that position holds. {@link #equals}, {@link #hashCode} and {@code toString} are
 *   those of that copy. {@code listIterator} and {@code subList} call the manager per element.</li>
 *   <li>Elements cross as the manager's serializer encodes them; one read back is a copy, except
 *   for a managed object, which is the same object.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A check then an act ({@code if (!list.contains(x)) list.add(x)}) is two calls; another
 *   process may act between them. Guard such sequences with a managed lock.</li>
 *   <li>When the manager ends, every call throws {@link ManagerUnreachableException}.</li>
 * </ul>
 *
 * @param <E> the elements' type
 */
public final class ManagedList<E> extends AbstractList<E> implements RandomAccess, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final String GET = ManagedObject.signature(List.class, "get", int.class);
    private static final String SET = ManagedObject.signature(List.class, "set", int.class, Object.class);
    private static final String ADD = ManagedObject.signature(List.class, "add", Object.class);
    private static final String INSERT = ManagedObject.signature(List.class, "add", int.class, Object.class);
    private static final String REMOVE_AT = ManagedObject.signature(List.class, "remove", int.class);
    private static final String REMOVE = ManagedObject.signature(List.class, "remove", Object.class);
    private static final String SIZE = ManagedObject.signature(List.class, "size");
    private static final String CLEAR = ManagedObject.signature(List.class, "clear");
    private static final String CONTAINS = ManagedObject.signature(List.class, "contains", Object.class);
    private static final String INDEX_OF = ManagedObject.signature(List.class, "indexOf", Object.class);
    private static final String LAST_INDEX_OF = ManagedObject.signature(List.class, "lastIndexOf", Object.class);
    private static final String ADD_ALL = ManagedObject.signature(List.class, "addAll", Collection.class);
    private static final String INSERT_ALL = ManagedObject.signature(List.class, "addAll", int.class, Collection.class);

    private final ManagedObject held;

    ManagedList(ManagedObject held) {
        this.held = held;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        return (E) held.invoke(GET, index);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E set(int index, E element) {
        return (E) held.invoke(SET, index, element);
    }

    @Override
    public boolean add(E element) {
        return (Boolean) held.invoke(ADD, element);
    }

    @Override
    public void add(int index, E element) {
        held.invoke(INSERT, index, element);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E remove(int index) {
        return (E) held.invoke(REMOVE_AT, index);
    }

    @Override
    public boolean remove(Object element) {
        return (Boolean) held.invoke(REMOVE, element);
    }

    @Override
    public int size() {
        return (Integer) held.invoke(SIZE);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public void clear() {
        held.invoke(CLEAR);
    }

    @Override
    public boolean contains(Object element) {
        return (Boolean) held.invoke(CONTAINS, element);
    }

    @Override
    public int indexOf(Object element) {
        return (Integer) held.invoke(INDEX_OF, element);
    }

    @Override
    public int lastIndexOf(Object element) {
        return (Integer) held.invoke(LAST_INDEX_OF, element);
    }

    /** Appends every element of {@code elements} in one call. */
    @Override
    public boolean addAll(Collection<? extends E> elements) {
        return (Boolean) held.invoke(ADD_ALL, new ArrayList<>(elements));
    }

    /** Inserts every element of {@code elements} at {@code index} in one call. */
    @Override
    public boolean addAll(int index, Collection<? extends E> elements) {
        return (Boolean) held.invoke(INSERT_ALL, index, new ArrayList<>(elements));
    }

    /** A copy of the whole list in one call: Python's {@code list(proxy)}. */
    @SuppressWarnings("unchecked")
    public List<E> copy() {
        return (List<E>) held.snapshot();
    }

    @Override
    public Iterator<E> iterator() {
        List<E> copy = copy();
        return new Iterator<>() {
            private int next;
            private int last = -1;
            private int removed;

            @Override
            public boolean hasNext() {
                return next < copy.size();
            }

            @Override
            public E next() {
                if (next >= copy.size()) {
                    throw new NoSuchElementException();
                }
                last = next;
                return copy.get(next++);
            }

            @Override
            public void remove() {
                if (last < 0) {
                    throw new IllegalStateException("next() has not been called, or remove() was already");
                }
                ManagedList.this.remove(last - removed);
                removed++;
                last = -1;
            }
        };
    }

    @Override
    public Object[] toArray() {
        return copy().toArray();
    }

    @Override
    public <T> T[] toArray(T[] target) {
        return copy().toArray(target);
    }

    @Override
    public boolean equals(Object other) {
        return other == this || copy().equals(other);
    }

    @Override
    public int hashCode() {
        return copy().hashCode();
    }

    @Override
    public String toString() {
        return copy().toString();
    }

    /** The pid of the manager process that holds the list. */
    public long managerPid() {
        return held.managerPid();
    }
}
