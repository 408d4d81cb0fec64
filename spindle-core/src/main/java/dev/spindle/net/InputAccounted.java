package dev.spindle.net;

/**
 * A connection whose decoders' buffered input is charged to its server's {@link InputBudget}:
 * how a {@link FramingProtocol} finds the account of the transport it is given.
 */
interface InputAccounted {

    /** This connection's account; {@link InputBudget.Account#UNCHARGED} when it has no budget. */
    InputBudget.Account inputAccount();
}
