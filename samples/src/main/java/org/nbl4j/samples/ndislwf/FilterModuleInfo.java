package org.nbl4j.samples.ndislwf;

/**
 * One module as the sample's enumerate control reports it ({@code IOCTL_FILTER_ENUERATE_ALL_INSTANCES} returns the
 * names; this stand-in adds the counters the sample keeps).
 *
 * @param name the module's name ({@code FilterModuleName})
 * @param miniportName the adapter below
 * @param running whether the module is Running
 * @param sendsSeen NBLs from above so far
 * @param receivesSeen NBLs from below so far
 * @param receivesWithResources of those, the ones indicated with {@code NDIS_RECEIVE_FLAGS_RESOURCES} (the miniport's
 *     again when the indication returns)
 * @param outstandingSends NBLs passed down and not back yet
 * @param outstandingReceives NBLs indicated up with RESOURCES clear and not returned yet
 * @param restarts how many times NDIS restarted the module
 * @param oidRequests OID requests from above so far
 * @param linkStateIndications link-state indications from below so far
 * @param lastMediaConnectState {@code MediaConnectState} of the last one (0 before any)
 */
public record FilterModuleInfo(
        String name,
        String miniportName,
        boolean running,
        long sendsSeen,
        long receivesSeen,
        long receivesWithResources,
        long outstandingSends,
        long outstandingReceives,
        long restarts,
        long oidRequests,
        long linkStateIndications,
        int lastMediaConnectState) {}
