package org.nbl4j.stack.wfp;

/** {@code FWPS_CALLOUT_NOTIFY_TYPE} (§4.8): why a callout's notify function is called. */
public enum CalloutNotifyType {
    /** A filter naming the callout is being added; a failure status refuses the filter. */
    ADD_FILTER,
    /** A filter naming the callout is deleted, whatever the callout returns. */
    DELETE_FILTER,
    /** The add committed; only for callouts with FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY. */
    ADD_FILTER_POST_COMMIT
}
