package org.nbl4j.stack.ndis;

import java.util.List;
import org.nbl4j.core.buffer.NetBufferList;

/** A pass-through filter that logs every handler NDIS calls, as "name handler", then does the default. */
final class RecordingFilter implements LightweightFilter {
    private final String name;
    private final List<String> log;

    private RecordingFilter(String name, List<String> log) {
        this.name = name;
        this.log = log;
    }

    static FilterDriver driver(String name, List<String> log) {
        return handle -> {
            log.add(name + " attach");
            return new RecordingFilter(name, log);
        };
    }

    @Override
    public void sendNetBufferLists(FilterHandle handle, NetBufferList chain, int portNumber, int sendFlags) {
        log.add(name + " send");
        LightweightFilter.super.sendNetBufferLists(handle, chain, portNumber, sendFlags);
    }

    @Override
    public void sendNetBufferListsComplete(FilterHandle handle, NetBufferList chain, int sendCompleteFlags) {
        log.add(name + " send complete");
        LightweightFilter.super.sendNetBufferListsComplete(handle, chain, sendCompleteFlags);
    }

    @Override
    public void receiveNetBufferLists(
            FilterHandle handle, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        log.add(name + " receive");
        LightweightFilter.super.receiveNetBufferLists(handle, chain, portNumber, numberOfNetBufferLists, receiveFlags);
    }

    @Override
    public void returnNetBufferLists(FilterHandle handle, NetBufferList chain, int returnFlags) {
        log.add(name + " return");
        LightweightFilter.super.returnNetBufferLists(handle, chain, returnFlags);
    }

    @Override
    public void cancelSendNetBufferLists(FilterHandle handle, long cancelId) {
        log.add(name + " cancel");
        LightweightFilter.super.cancelSendNetBufferLists(handle, cancelId);
    }

    @Override
    public int restart(FilterHandle handle) {
        log.add(name + " restart");
        return LightweightFilter.super.restart(handle);
    }

    @Override
    public int pause(FilterHandle handle) {
        log.add(name + " pause");
        return LightweightFilter.super.pause(handle);
    }

    @Override
    public void detach(FilterHandle handle) {
        log.add(name + " detach");
    }
}
