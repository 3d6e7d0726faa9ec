/** A plan before anything moves: the masters' order, and the worker batches as blocks 1, 2, 4, … with their nodes. */
export function PlanView(props: { plan: { masters: string[]; batches: string[][] } }) {
  return (
    <div class="plan">
      <h3>Masters, in order</h3>
      <ol class="masters">
        {props.plan.masters.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ol>
      <h3>Worker batches</h3>
      <ol class="blocks">
        {props.plan.batches.map((b, i) => (
          <li key={i} class="block remaining" style={{ flexGrow: b.length }}>
            <span class="block-title">
              batch {i + 1}: {b.length} {b.length === 1 ? 'node' : 'nodes'}
            </span>
            <span class="block-nodes">{b.join(', ')}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
