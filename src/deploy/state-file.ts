// The name of the deploy state file in a target's `state` folder of the workspace, in a module of its own: readers
// of deployed state (the local workspace's deploy index) need the name without the deploy machinery.
export const STATE_FILE = 'deployment.json';
