package dev.spindle.cli.bench;

/** The hold test's result for one server: what each idle connection costs it. */
record Hold(String server, int connections, double kibPerConnection, long rssKiB, boolean allAnswered) {
}
