package org.nbl4j.stack.ndis;

import java.util.List;
import org.nbl4j.core.buffer.NetBufferList;

/** A pass-through filter that logs every handler NDIS calls, as "name handler", then does the default. */
final class RecordingLwf implements LwfHandlers {
    private final String name;
    private final List<String> log;

    private RecordingLwf(String name, List<String> log) {
        this.name = name;
        this.log = log;
    }

    static LwfDriver driver(String name, List<String> log) {
        return handle -> {
            log.add(name + " attach");
            return new RecordingLwf(name, log);
        };
    }

    @Override
    public void sendNetBufferLists(LwfHandle handle, NetBufferList chain, int portNumber, int sendFlags) {
        log.add(name + " send");
        LwfHandlers.super.sendNetBufferLists(handle, chain, portNumber, sendFlags);
    }

    @Override
    public void sendNetBufferListsComplete(LwfHandle handle, NetBufferList chain, int sendCompleteFlags) {
        log.add(name + " send complete");
        LwfHandlers.super.sendNetBufferListsComplete(handle, chain, sendCompleteFlags);
    }

    @Override
    public void receiveNetBufferLists(
            LwfHandle handle, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        log.add(name + " receive");
        LwfHandlers.super.receiveNetBufferLists(handle, chain, portNumber, numberOfNetBufferLists, receiveFlags);
    }

    @Override
    public void returnNetBufferLists(LwfHandle handle, NetBufferList chain, int returnFlags) {
        log.add(name + " return");
        LwfHandlers.super.returnNetBufferLists(handle, chain, returnFlags);
    }

    @Override
    public void cancelSendNetBufferLists(LwfHandle handle, long cancelId) {
        log.add(name + " cancel");
        LwfHandlers.super.cancelSendNetBufferLists(handle, cancelId);
    }

    @Override
    public int restart(LwfHandle handle) {
        log.add(name + " restart");
        return LwfHandlers.super.restart(handle);
    }

    @Override
    public int pause(LwfHandle handle) {
        log.add(name + " pause");
        return LwfHandlers.super.pause(handle);
    }

    @Override
    public void detach(LwfHandle handle) {
        log.add(name + " detach");
    }
}
