package dev.spindle.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Reads an option naming a directory that is used or created, refusing while the command line is
 * parsed what can never work: an empty path (which the JDK would silently take for the current
 * directory) and a path to something that exists but is not a directory. picocli prefixes the
 * message with {@code Invalid value for option '--name':}.
 */
final class DirectoryConverter implements ITypeConverter<Path> {

    @Override
    public Path convert(String value) {
        if (value.isBlank()) {
            throw new TypeConversionException("the directory must not be empty (an empty path would silently mean"
                    + " the current directory); name it, such as uploads, or . for the current directory");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw new TypeConversionException("'" + value + "' is not a usable path: " + e.getReason());
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new TypeConversionException("'" + value + "' is not a directory"
                    + (Files.isRegularFile(path) ? " (it is a file)" : "")
                    + "; name a directory, or a path that does not exist yet to have it created");
        }
        return path;
    }
}
