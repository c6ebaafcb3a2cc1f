/**
 * Value classification for the secret scan (what counts as random, what is safe by construction): the model's
 * detector owns it (src/model/secret-detector.ts); re-exported for the policy pack. Internal.
 */
export { detach, isSafeValue, looksRandom, shannonEntropy } from '../model/secret-detector';
