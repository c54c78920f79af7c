// Generated words in colour, the first one the grammar does not allow in red and underlined (the status
// line names it too, for terminals without colour).
import { Text } from "ink";

export function GrammarWords({ words, firstError }: { readonly words: readonly string[]; readonly firstError: number | null }) {
  if (words.length === 0) return null;
  if (firstError === null || firstError >= words.length) return <Text color="cyan"> {words.join(" ")}</Text>;
  const before = words.slice(0, firstError);
  const after = words.slice(firstError + 1);
  return (
    <Text>
      {before.length > 0 ? <Text color="cyan"> {before.join(" ")}</Text> : null}
      <Text> </Text>
      <Text color="red" underline>{words[firstError]}</Text>
      {after.length > 0 ? <Text color="cyan"> {after.join(" ")}</Text> : null}
    </Text>
  );
}
