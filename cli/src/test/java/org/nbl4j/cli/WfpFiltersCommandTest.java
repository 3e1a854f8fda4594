package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.samples.forwardinject.ForwardCalloutDriver;
import picocli.CommandLine;

/** {@code nbl4j wfp filters}: what a configuration's callout drivers install, as netsh wfp show filters shows it. */
class WfpFiltersCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int nbl4j(String... arguments) {
        CommandLine line = new CommandLine(new Nbl4jCommand());
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(arguments);
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    @Test
    @DisplayName("the forward-inject driver's two filters, with their layer, sublayer, condition, callout and weight")
    void printsTheInstalledFilters() {
        assertEquals(
                0,
                nbl4j("wfp", "filters", "--callout", "org.nbl4j.samples.forwardinject.ForwardInjectCallout"),
                err::toString);
        String xml = out.toString();
        assertTrue(xml.startsWith("<?xml version=\"1.0\"?>\n<wfpdiag>\n<filters numItems=\"2\">\n"), xml);
        assertEquals(2, count(xml, "<name>Forward inject filter</name>"), xml);
        assertTrue(xml.contains("<layerKey>FWPM_LAYER_IPFORWARD_V4</layerKey>"), xml);
        assertTrue(xml.contains("<layerKey>FWPM_LAYER_IPFORWARD_V6</layerKey>"), xml);
        assertEquals(
                2,
                count(xml, "<subLayerKey>{" + ForwardCalloutDriver.FORWARD_INJECT_SUBLAYER + "}</subLayerKey>"),
                xml);
        assertEquals(2, count(xml, "<fieldKey>FWPM_CONDITION_IP_DESTINATION_ADDRESS_TYPE</fieldKey>"), xml);
        assertEquals(2, count(xml, "<uint8>1</uint8>"), "NlatUnicast");
        assertEquals(2, count(xml, "<type>FWP_ACTION_CALLOUT_TERMINATING</type>"), xml);
        assertTrue(xml.contains("<calloutKey>{" + ForwardCalloutDriver.FORWARD_INJECT_CALLOUT_V4 + "}</calloutKey>"));
        assertEquals(4, count(xml, "<uint64>" + (1L << 48) + "</uint64>"), "one condition: the automatic weight");
        assertTrue(xml.endsWith("</filters>\n</wfpdiag>\n"), xml);
    }

    @Test
    @DisplayName("with no callout driver the engine holds no filter")
    void noDriverNoFilter() {
        assertEquals(0, nbl4j("wfp", "filters"), err::toString);
        assertEquals(
                "<?xml version=\"1.0\"?>\n<wfpdiag>\n<filters numItems=\"0\">\n</filters>\n</wfpdiag>\n",
                out.toString());
    }

    @Test
    @DisplayName("a class that is no callout driver is bad input, exit status 2")
    void badCallout() {
        assertEquals(2, nbl4j("wfp", "filters", "--callout", "java.lang.String"));
        assertTrue(err.toString().startsWith("nbl4j wfp filters: --callout java.lang.String"), err.toString());
    }
}
