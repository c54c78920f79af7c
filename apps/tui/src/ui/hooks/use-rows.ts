// The terminal's height in rows, following resizes; `override` fixes it (tests). undefined when unknown
// (not a terminal): then nothing is fitted to it.
import { useStdout } from "ink";
import { useEffect, useState } from "react";

export function useRows(override?: number): number | undefined {
  const { stdout } = useStdout();
  const [rows, setRows] = useState(() => stdout.rows || undefined);
  useEffect(() => {
    const onResize = (): void => setRows(stdout.rows || undefined);
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return override ?? rows;
}
