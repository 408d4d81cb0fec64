package org.example.allowed;

import java.io.Serializable;

/** A class the test clusters allow ({@code org.example.allowed.*}). */
public record Point(int x, int y) implements Serializable {
}
