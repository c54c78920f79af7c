// After the terminal changes size, the screen is cleared and everything is drawn again. The terminal
// re-wraps what is already on screen at the new width, so Ink, which erases its last frame by the count
// of lines it wrote, would leave re-wrapped copies of the frame (the status bar) above the new one.
// Returns a number that changes on each resize: keyed on it, the transcript (<Static>) prints again.
import { useStdout } from "ink";
import { useEffect, useState } from "react";

/** Erase the screen and the scrollback, cursor home (ansi-escapes' clearTerminal). */
export const CLEAR_TERMINAL = "\u001b[2J\u001b[3J\u001b[H";

export function useRedrawOnResize(): number {
  const { stdout } = useStdout();
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    let size = `${stdout.columns}x${stdout.rows}`;
    const onResize = (): void => {
      const now = `${stdout.columns}x${stdout.rows}`;
      if (now === size) return;
      size = now;
      stdout.write(CLEAR_TERMINAL);
      setEpoch((e) => e + 1);
    };
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return epoch;
}
