package org.nbl4j.cli.replay;

import java.util.ArrayList;
import java.util.List;
import org.nbl4j.stack.wfp.CalloutDriver;

/** Makes the {@link CalloutDriver}s a configuration names, the way a host loads driver images by name. */
final class CalloutDrivers {
    private CalloutDrivers() {}

    /**
     * Instantiates every class named (each needs a public no-argument constructor), without loading any.
     *
     * @throws BadInputException naming the class that is missing, of the wrong type, or cannot be made
     */
    static List<CalloutDriver> instantiate(List<String> classNames) throws BadInputException {
        List<CalloutDriver> drivers = new ArrayList<>();
        for (String className : classNames) {
            Class<?> type;
            try {
                type = Class.forName(className, true, CalloutDrivers.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new BadInputException("--callout " + className + ": no such class on the class path", e);
            }
            if (!CalloutDriver.class.isAssignableFrom(type)) {
                throw new BadInputException(
                        "--callout " + className + ": does not implement " + CalloutDriver.class.getName());
            }
            try {
                drivers.add((CalloutDriver) type.getConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new BadInputException(
                        "--callout " + className + ": cannot make one with a public no-argument constructor (" + e
                                + ")",
                        e);
            }
        }
        return drivers;
    }
}
