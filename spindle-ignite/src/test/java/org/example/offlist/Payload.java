package org.example.offlist;

import java.io.Serializable;

/** A class no test cluster allows: tasks that carry one are refused by name. */
public record Payload(String text) implements Serializable {
}
