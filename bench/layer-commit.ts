// Filled in with the layer benchmark; see the layer part.
export {};
