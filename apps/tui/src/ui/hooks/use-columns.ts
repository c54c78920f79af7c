// The terminal's width in columns, following resizes; `override` fixes it (tests, narrow-layout checks).
import { useStdout } from "ink";
import { useEffect, useState } from "react";

export function useColumns(override?: number): number {
  const { stdout } = useStdout();
  const [columns, setColumns] = useState(() => stdout.columns || 80);
  useEffect(() => {
    const onResize = (): void => setColumns(stdout.columns || 80);
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return override ?? columns;
}
