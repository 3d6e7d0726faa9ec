/** Annotations only the simulated cluster reads: test and demo faults set on a node. */

/** The simulated kubelet fails this node's upgrade Job. */
export const ANNOTATION_SIM_FAIL_UPGRADE = 'kupgrade.io/sim-fail-upgrade';
/** While the node carries it ("true"), its upgrade Job's pod keeps running: a Job that outlives the node-upgrade timeout. */
export const ANNOTATION_SIM_HOLD_UPGRADE = 'kupgrade.io/sim-hold-upgrade';
/** The node's kubelet runs with swap on (its configz says failSwapOn: false, LimitedSwap). */
export const ANNOTATION_SIM_SWAP = 'kupgrade.io/sim-swap';
