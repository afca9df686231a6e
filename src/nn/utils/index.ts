// nn.utils: helpers around training, like torch.nn.utils.
export { clipGradNorm, clipGradNorm_, clipGradValue, clipGradValue_, type ClipGradNormOptions } from "./clip-grad.ts";
