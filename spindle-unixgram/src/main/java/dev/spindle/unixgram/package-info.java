/**
 * Unix-domain datagram sockets for {@link dev.spindle.net.DatagramServer} and
 * {@link dev.spindle.net.DatagramClient}: Python's {@code UnixDatagramServer} and
 * {@code socket(AF_UNIX, SOCK_DGRAM)}, which the JDK lacks. Put this module on the class or module
 * path and {@code DatagramServer.builder().bindUnix(path)} works; nothing here is called directly.
 * {@link dev.spindle.unixgram.JunixsocketDatagrams} is the service, over junixsocket.
 */
package dev.spindle.unixgram;
