package dev.spindle.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual HMAC-SHA256 challenge-response over raw bytes, the first thing on every process-to-process
 * channel, before a single object is decoded: {@code multiprocessing}'s
 * {@code deliver_challenge} / {@code answer_challenge}, both ways.
 *
 * <p>Each side sends 32 random bytes; the other answers with their HMAC under the shared key; each
 * compares in constant time. A side that gets a wrong answer sends a refusal byte and throws
 * {@link AuthenticationException}; the other side, reading it, throws too. Only fixed-size byte
 * strings are read, so a peer without the key can make a process read at most 65 bytes.
 */
public final class Handshake {

    /** Bytes in a challenge and in an answer. */
    static final int CHALLENGE_BYTES = 32;
    private static final int ACCEPTED = 1;
    private static final int REFUSED = 0;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** A fresh random key for one run: 32 bytes. */
    public static byte[] newKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * Authenticates the peer, which must call this too, with the same key; the side that accepted
     * the connection passes {@code first = true}, so that the two do not both wait to read first.
     *
     * @throws AuthenticationException when the peer's answer is wrong or the peer refused ours
     * @throws IOException when the connection fails or ends during the exchange
     */
    public static void authenticate(InputStream input, OutputStream output, byte[] key, boolean first)
            throws IOException {
        DataInputStream in = new DataInputStream(input);
        DataOutputStream out = new DataOutputStream(output);
        if (first) {
            challenge(in, out, key);
            answer(in, out, key);
        } else {
            answer(in, out, key);
            challenge(in, out, key);
        }
    }

    /** Sends a challenge, checks the answer, and says whether it was right. */
    private static void challenge(DataInputStream in, DataOutputStream out, byte[] key) throws IOException {
        byte[] challenge = new byte[CHALLENGE_BYTES];
        RANDOM.nextBytes(challenge);
        out.write(challenge);
        out.flush();
        byte[] answer = readFully(in, CHALLENGE_BYTES, "the peer's answer");
        boolean right = MessageDigest.isEqual(answer, hmac(key, challenge));
        out.write(right ? ACCEPTED : REFUSED);
        out.flush();
        if (!right) {
            throw new AuthenticationException("the peer answered the challenge with the wrong key; refused "
                    + "before reading anything else from it");
        }
    }

    /** Answers the peer's challenge and reads its verdict. */
    private static void answer(DataInputStream in, DataOutputStream out, byte[] key) throws IOException {
        byte[] challenge = readFully(in, CHALLENGE_BYTES, "the peer's challenge");
        out.write(hmac(key, challenge));
        out.flush();
        int verdict = in.read();
        if (verdict != ACCEPTED) {
            throw new AuthenticationException(verdict < 0 ? "the peer closed instead of accepting our answer"
                    : "the peer refused our answer: the two processes do not share the run's key");
        }
    }

    private static byte[] readFully(DataInputStream in, int n, String what) throws IOException {
        byte[] bytes = new byte[n];
        try {
            in.readFully(bytes);
        } catch (EOFException e) {
            throw new AuthenticationException("the peer closed before sending " + what);
        }
        return bytes;
    }

    static byte[] hmac(byte[] key, byte[] challenge) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(challenge);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }
}
