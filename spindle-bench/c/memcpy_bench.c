/* The memcpy baseline of spindle-bench's shared-memory benchmark: copies SIZE bytes into a buffer
 * and back out, ROUNDS times, and prints one JSON line with MiB/s (both copies counted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : (1u << 20);
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
    unsigned char *data = malloc(size), *shared = malloc(size), *back = malloc(size);
    if (!data || !shared || !back) return 1;
    memset(data, 7, size);
    memset(shared, 0, size);
    memset(back, 0, size);
    volatile unsigned long sum = 0;
    for (long r = 0; r < rounds / 10; r++) { memcpy(shared, data, size); memcpy(back, shared, size); sum += back[r % size]; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < rounds; r++) {
        data[r % size] = (unsigned char) r;
        memcpy(shared, data, size);
        memcpy(back, shared, size);
        sum += back[r % size];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"what\": \"bulk\", \"name\": \"c memcpy\", \"mib_per_s\": %.1f, \"sum\": %lu}\n",
           2.0 * rounds * size / (1 << 20) / seconds, (unsigned long) sum);
    return 0;
}
