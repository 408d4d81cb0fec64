package dev.spindle.cli;

import dev.spindle.cli.FileUploadHandler.UploadRefusedException;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a client's file name must be for {@code --mode files} to store the upload under it, checked
 * in full before any of the body is read, so that a name the file system would reject is refused
 * with a reason instead of failing after the body was stored.
 *
 * <p>A name is stored as its UTF-8 bytes, whatever the locale: the JSON header carries it as UTF-8
 * text, and clients expect to find it under the name they sent. The JVM, though, turns names into
 * bytes with the encoding it took from the locale at start-up ({@code sun.jnu.encoding}; no
 * command-line option changes it), so under {@code LANG=C} it cannot name a file {@code é.txt} at
 * all, and under a Latin-1 locale it would store other bytes. {@code ./spindle} therefore starts the
 * JVM under a UTF-8 locale; a JVM started otherwise refuses non-ASCII names with a message that
 * says so.
 */
final class UploadFileName {

    /** The longest name, in bytes, that Linux and macOS file systems store (NAME_MAX). */
    static final int MAX_NAME_BYTES = 255;

    /** How many characters of a refused name a message repeats. */
    private static final int QUOTED_CHARACTERS = 60;

    private UploadFileName() {
    }

    /**
     * Returns where the upload named {@code filename} goes in {@code directory}, or refuses the name.
     * Refused: an empty name; {@code .}, {@code ..} and names starting with {@code .} (hidden, and
     * the server's own partial files); names with {@code /} or {@code \}; control characters;
     * unpaired UTF-16 surrogates (not text, no UTF-8 form); more than {@value #MAX_NAME_BYTES} bytes
     * in UTF-8; non-ASCII when this JVM cannot name files in UTF-8; and the name of something in the
     * directory that is not a regular file, such as a directory.
     *
     * @throws UploadRefusedException saying what is wrong with the name and what to send instead
     * @throws IOException            if the directory cannot be read to look for the name
     */
    static Path resolve(Path directory, String filename) throws IOException {
        String quoted = quote(filename);
        if (filename.isEmpty()) {
            throw new UploadRefusedException("the filename is empty; send the file's name, such as report.pdf");
        }
        if (filename.startsWith(".") || filename.indexOf('/') >= 0 || filename.indexOf('\\') >= 0) {
            throw new UploadRefusedException("filename " + quoted
                    + " is not allowed: send a plain file name, without directories, not starting with '.'");
        }
        for (int i = 0; i < filename.length(); i++) {
            char c = filename.charAt(i);
            if (Character.isISOControl(c)) {
                throw new UploadRefusedException("filename " + quoted + " contains the control character "
                        + codePoint(c) + " at index " + i + "; send a name of printable characters");
            }
            if (Character.isHighSurrogate(c) && i + 1 < filename.length()
                    && Character.isLowSurrogate(filename.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new UploadRefusedException("filename " + quoted + " contains the unpaired UTF-16 surrogate "
                        + codePoint(c) + " at index " + i + ", which is not a character and has no UTF-8 form;"
                        + " send the name as valid Unicode (in JSON, a character beyond U+FFFF is a pair of"
                        + " \\u escapes, such as \\ud83d\\ude00)");
            }
        }
        int bytes = filename.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new UploadRefusedException("filename " + quoted + " is " + bytes + " bytes long in UTF-8; the file"
                    + " system stores at most " + MAX_NAME_BYTES + " bytes per name, so send a shorter name");
        }
        if (bytes != filename.length() && !namesFilesInUtf8()) {
            throw new UploadRefusedException(cannotNameInUtf8(quoted));
        }
        Path target;
        try {
            target = directory.resolve(filename).normalize();
        } catch (InvalidPathException e) {
            throw new UploadRefusedException("filename " + quoted + " is not a usable file name here: " + e.getReason());
        }
        if (!directory.equals(target.getParent())) {
            throw new UploadRefusedException("filename " + quoted + " would leave the upload directory");
        }
        BasicFileAttributes existing;
        try {
            existing = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return target;
        }
        if (existing.isDirectory()) {
            throw new UploadRefusedException("a directory named " + quoted
                    + " is already in the upload directory; send the file under another name");
        }
        if (!existing.isRegularFile()) {
            throw new UploadRefusedException(quoted + " is already in the upload directory and is not a regular file"
                    + " (a link, device, socket or pipe); send the file under another name");
        }
        return target;
    }

    /** The encoding this JVM names files in: fixed from the locale when the JVM started. */
    static String fileNameEncoding() {
        return System.getProperty("sun.jnu.encoding", System.getProperty("native.encoding", "unknown"));
    }

    /**
     * Whether this JVM turns names into their UTF-8 bytes. Only where names are bytes: on Windows
     * they are UTF-16 whatever the encoding says.
     */
    static boolean namesFilesInUtf8() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return true;
        }
        try {
            return Charset.forName(fileNameEncoding()).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /** Why a non-ASCII name cannot be stored by this JVM, and how the operator fixes it. */
    static String cannotNameInUtf8(String quotedName) {
        return "this server's JVM names files in " + fileNameEncoding() + " (sun.jnu.encoding, taken from its"
                + " locale when it started), so it cannot store " + quotedName + " under its UTF-8 name; the server"
                + " must run under a UTF-8 locale, such as LC_ALL=C.UTF-8 (./spindle picks one itself when one is"
                + " installed), or the name must be ASCII";
    }

    /**
     * The name in quotes for a message: control characters and unpaired surrogates as {@code \}{@code uXXXX},
     * so that a message cannot forge a log line, and cut after {@value #QUOTED_CHARACTERS} characters.
     */
    static String quote(String name) {
        StringBuilder out = new StringBuilder("'");
        int end = Math.min(name.length(), QUOTED_CHARACTERS);
        if (end < name.length() && Character.isHighSurrogate(name.charAt(end - 1))) {
            end--; // half a pair would be an unpaired surrogate of the quote's own making
        }
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < name.length()
                    && Character.isLowSurrogate(name.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(name.charAt(i - 1));
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !paired) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        if (end < name.length()) {
            out.append(" (cut; ").append(name.length()).append(" characters in all)");
        }
        return out.toString();
    }

    /**
     * What went wrong with a file operation, in words for the client: without the server's paths,
     * which the exceptions' messages carry.
     */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return switch (e) {
            case AccessDeniedException denied -> "permission denied";
            case NoSuchFileException missing -> "no such file or directory";
            case DirectoryNotEmptyException inTheWay -> "a directory is in the way";
            case FileAlreadyExistsException exists -> "something of that name is in the way";
            case FileSystemException other -> other.getClass().getSimpleName();
            default -> String.valueOf(e.getMessage());
        };
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }
}
