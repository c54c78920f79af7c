// The keys that work right now, as "key action" pairs that wrap on a narrow terminal.
import { Box, Text } from "ink";

export type HelpMode = "prompt" | "running" | "settings" | "editing";

const KEYS: Record<HelpMode, readonly (readonly [string, string])[]> = {
  prompt: [
    ["Enter", "generate"], ["Tab", "complete"], ["↑↓", "history"], ["^K", "cache on/off"], ["^N", "next cache"], ["^L", "long context"], ["^O", "settings"],
    ["^T", "summary"], ["^A", "attention"], ["^C", "quit"],
  ],
  running: [["Esc/^C", "stop"], ["^K", "cache on/off"], ["^A", "attention"], ["^T", "summary"]],
  settings: [["↑↓", "choose"], ["Enter", "change"], ["Esc", "close"], ["^C", "quit"]],
  editing: [["Enter", "apply"], ["Esc", "cancel"]],
};

type Props = { readonly mode: HelpMode; readonly columns: number };

export function HelpLine({ mode, columns }: Props) {
  return (
    <Box flexDirection="row" flexWrap="wrap" width={columns}>
      {KEYS[mode].map(([key, action]) => (
        <Box key={key} marginRight={2}>
          <Text>
            <Text color="cyan" bold>{key}</Text>
            <Text dimColor> {action}</Text>
          </Text>
        </Box>
      ))}
    </Box>
  );
}
