import { ref, watch } from 'vue';

// A clerk with a scanner looks at the boxes, not the screen: every answer also sounds.
// Accepted: one short high beep. Refused: a lower, harsher double tone. Generated with the
// Web Audio API, so there are no sound files to load.

export type Cue = 'accepted' | 'refused';

interface Tone {
  frequency: number;
  /** Seconds after the cue starts. */
  at: number;
  duration: number;
  type: OscillatorType;
}

const CUES: Record<Cue, Tone[]> = {
  accepted: [{ frequency: 1318, at: 0, duration: 0.08, type: 'sine' }],
  refused: [
    { frequency: 330, at: 0, duration: 0.12, type: 'square' },
    { frequency: 220, at: 0.16, duration: 0.2, type: 'square' },
  ],
};

const STORAGE_KEY = 'serialdesk.scanSound';
const VOLUME = 0.18;

/** Whether cues sound; the choice is remembered on this computer. */
export const soundOn = ref(readSetting());
watch(soundOn, (on) => {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Private mode or storage full: the choice lasts for this page only.
  }
});

let context: AudioContext | undefined;

/**
 * Plays a cue. Browsers let audio start only after a user gesture; scans are key presses,
 * so the context is created (or resumed) on the first one.
 */
export function playCue(cue: Cue): void {
  if (!soundOn.value || typeof AudioContext === 'undefined') return;
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    const start = context.currentTime + 0.01;
    for (const tone of CUES[cue]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = tone.type;
      oscillator.frequency.value = tone.frequency;
      // A quick fade in and out: no click at either end.
      const begin = start + tone.at;
      gain.gain.setValueAtTime(0.0001, begin);
      gain.gain.exponentialRampToValueAtTime(VOLUME, begin + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, begin + tone.duration);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(begin);
      oscillator.stop(begin + tone.duration + 0.02);
    }
  } catch {
    // No audio device: the colors of the answer log still tell.
  }
}

function readSetting(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}
