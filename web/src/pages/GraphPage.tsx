import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Core, ElementDefinition, StylesheetJson } from 'cytoscape';
import { Link, useLocation, useSearch } from 'wouter';
import { Card, ErrorBox, Loading, THead } from '../components/ui';
import { downloadCsv } from '../csv';
import { frameworkLabel } from '../status';
import { MAX_NODES, useNeighbourhood } from '../graph/useNeighbourhood';
import { isFullHop, relationshipWords, type GraphEdge, type GraphNode, type Neighbourhood } from '../graph/neighbourhood';

/** Shape and colour per framework: never the only cue (the label and the tables name the framework). */
const FRAMEWORK_STYLE: Record<string, { color: string; shape: string; label: string }> = {
  iso42001: { color: '#1d4ed8', shape: 'ellipse', label: 'ISO/IEC 42001' },
  iso27001: { color: '#047857', shape: 'round-rectangle', label: 'ISO/IEC 27001' },
  'nist-ai-rmf': { color: '#b45309', shape: 'diamond', label: 'NIST AI RMF' },
  'eu-ai-act': { color: '#7c3aed', shape: 'hexagon', label: 'EU AI Act' },
};
const OTHER = { color: '#4b5563', shape: 'triangle', label: 'Other framework' };
const styleOf = (key: string) => FRAMEWORK_STYLE[key] ?? OTHER;
const fwName = (n: { framework: { name: string; shortName: string | null } }) => frameworkLabel(n.framework);

export const DEFAULT_GRAPH = '/graph?framework=iso42001&ref=A.2.2&depth=2';
const graphHref = (framework: string, ref: string, depth: number) =>
  `/graph?framework=${encodeURIComponent(framework)}&ref=${encodeURIComponent(ref)}&depth=${depth}`;

export function GraphPage() {
  const params = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const framework = params.get('framework') ?? 'iso42001';
  const ref = params.get('ref') ?? 'A.2.2';
  const depth = Math.min(3, Math.max(1, Number(params.get('depth')) || 2));
  const { data, error, loading } = useNeighbourhood(framework, ref, depth);
  const recentre = (f: string, r: string) => navigate(graphHref(f, r, depth));
  return (
    <>
      <div className="page-head">
        <h1 data-testid="graph-title">
          Mapping graph: {data ? fwName(data.centre) : framework} <span className="ref">{ref}</span> {data ? data.centre.title : null}
        </h1>
        <div className="filters">
          <label>
            Depth{' '}
            <select value={depth} onChange={(e) => navigate(graphHref(framework, ref, Number(e.target.value)))}>
              {[1, 2, 3].map((d) => (
                <option key={d} value={d}>
                  {d} hop{d === 1 ? '' : 's'}
                </option>
              ))}
            </select>
          </label>
          <Link href={`/frameworks/${encodeURIComponent(framework)}/requirements/${encodeURIComponent(ref)}`}>Requirement page</Link>
        </div>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {loading ? <Loading what={`the mappings around ${framework} ${ref}`} /> : null}
      {data && !loading ? <GraphView graph={data} depth={depth} onCentre={recentre} /> : null}
    </>
  );
}

function summary(g: Neighbourhood, depth: number): string {
  const others = g.nodes.filter((n) => n.id !== g.centre.id);
  const perFramework = new Map<string, number>();
  for (const n of others) perFramework.set(fwName(n), (perFramework.get(fwName(n)) ?? 0) + 1);
  const full = others.filter((n) => n.fullHops !== null).length;
  const parts = [...perFramework].map(([k, v]) => `${v} ${k}`).join(', ');
  return `Mapping graph around ${fwName(g.centre)} ${g.centre.ref}, up to ${depth} hop${depth === 1 ? '' : 's'}: ${others.length} requirement${others.length === 1 ? '' : 's'}${parts ? ` (${parts})` : ''} joined by ${g.edges.length} mapping${g.edges.length === 1 ? '' : 's'}; ${full} reached by a FULL path, ${others.length - full} only by PARTIAL ones. The tables below list them.`;
}

function GraphView({ graph, depth, onCentre }: { graph: Neighbourhood; depth: number; onCentre: (framework: string, ref: string) => void }) {
  const others = graph.nodes.filter((n) => n.id !== graph.centre.id);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <>
      <Card id="graph-title" title="Graph">
        <CytoscapeGraph graph={graph} depth={depth} label={summary(graph, depth)} onCentre={onCentre} />
        <Legend />
        {graph.truncated ? <p className="muted">More than {MAX_NODES} requirements: the outer level was not expanded. Lower the depth or re-centre.</p> : null}
      </Card>
      <Card
        id="graph-nodes-title"
        title={`Requirements (${graph.nodes.length})`}
        actions={
          <button type="button" className="btn btn-secondary" onClick={() => downloadCsv(`graph-${graph.centre.framework.key}-${graph.centre.ref}-requirements.csv`, ['framework', 'ref', 'title', 'hops', 'reached_by'], graph.nodes.map((n) => [n.framework.key, n.ref, n.title, n.hops, n.hops === 0 ? 'centre' : n.fullHops !== null ? 'FULL' : 'PARTIAL']))}>
            Download CSV
          </button>
        }
      >
        <p className="muted">Choose a ref to centre the graph on it.</p>
        <div className="table-wrap">
          <table className="graph-nodes">
            <caption className="sr-only">Requirements in the graph, nearest first</caption>
            <THead cols={['Framework', 'Ref', 'Title', 'Hops', 'Reached by']} />
            <tbody>
              {graph.nodes.map((n) => (
                <tr key={n.id} data-framework={n.framework.key} data-ref={n.ref} data-hops={n.hops} data-coverage={n.hops === 0 ? 'CENTRE' : n.fullHops !== null ? 'FULL' : 'PARTIAL'}>
                  <td>{fwName(n)}</td>
                  <td className="ref">
                    {n.hops === 0 ? <strong>{n.ref}</strong> : <Link href={graphHref(n.framework.key, n.ref, depth)} className="recentre">{n.ref}</Link>}
                  </td>
                  <td>{n.title}</td>
                  <td className="num">{n.hops}</td>
                  <td>{reach(n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card
        id="graph-edges-title"
        title={`Mappings (${graph.edges.length})`}
        actions={
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() =>
              downloadCsv(
                `graph-${graph.centre.framework.key}-${graph.centre.ref}-mappings.csv`,
                ['from_framework', 'from_ref', 'relationship', 'to_framework', 'to_ref', 'strength', 'mapping_set', 'mapping_set_version'],
                graph.edges.map((e) => [byId.get(e.from)!.framework.key, byId.get(e.from)!.ref, e.relationship, byId.get(e.to)!.framework.key, byId.get(e.to)!.ref, e.strength, e.source.key, e.source.versionLabel]),
              )
            }
          >
            Download CSV
          </button>
        }
      >
        <div className="table-wrap">
          <table className="graph-edges">
            <caption className="sr-only">Mappings in the graph, each read from the side nearer the centre</caption>
            <THead cols={['From', 'Relationship', 'Framework', 'Ref', 'Title', 'Strength', 'Mapping set', 'Hop']} />
            <tbody>
              {graph.edges.map((e) => {
                const from = byId.get(e.from)!;
                const to = byId.get(e.to)!;
                return (
                  <tr key={e.mappingId} data-from={from.ref} data-to={to.ref} data-relationship={e.relationship}>
                    <td>
                      {fwName(from)} <span className="ref">{from.ref}</span>
                    </td>
                    <td>{relationshipWords[e.relationship]}</td>
                    <td>{fwName(to)}</td>
                    <td className="ref">{to.id === graph.centre.id ? to.ref : <Link href={graphHref(to.framework.key, to.ref, depth)}>{to.ref}</Link>}</td>
                    <td>{to.title}</td>
                    <td className="num">{e.strength === null ? '–' : `${e.strength}/10`}</td>
                    <td>
                      {e.source.name} {e.source.versionLabel}
                    </td>
                    <td>{isFullHop(e.relationship) ? 'full' : 'partial'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {others.length === 0 ? <p className="muted">No mapping joins this requirement to another.</p> : null}
      </Card>
    </>
  );
}

function reach(n: GraphNode): string {
  if (n.hops === 0) return 'centre';
  if (n.fullHops !== null) return `FULL path, ${n.fullHops} hop${n.fullHops === 1 ? '' : 's'}`;
  return `PARTIAL path, ${n.hops} hop${n.hops === 1 ? '' : 's'}`;
}

const EDGE_STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(color)',
      shape: 'data(shape)' as never,
      label: 'data(label)',
      'font-size': 10,
      color: '#111827',
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      width: 22,
      height: 22,
      'border-width': 3,
      'border-color': '#111827',
      'border-style': 'solid',
    },
  },
  { selector: 'node[coverage = "PARTIAL"]', style: { 'border-style': 'dashed', 'border-color': '#6b7280', 'border-width': 2 } },
  { selector: 'node[coverage = "FULL"]', style: { 'border-style': 'double', 'border-width': 5 } },
  { selector: 'node:selected', style: { 'overlay-color': '#f59e0b', 'overlay-opacity': 0.45, 'overlay-padding': 7 } },
  { selector: 'node[coverage = "CENTRE"]', style: { width: 36, height: 36, 'border-width': 5, 'font-size': 12, 'font-weight': 'bold' } },
  {
    selector: 'edge',
    style: { width: 'data(width)', 'line-color': '#9ca3af', 'target-arrow-color': '#9ca3af', 'source-arrow-color': '#9ca3af', 'curve-style': 'bezier', 'arrow-scale': 0.9 },
  },
  { selector: 'edge[?full]', style: { 'line-color': '#1e3a8a', 'target-arrow-color': '#1e3a8a', 'source-arrow-color': '#1e3a8a' } },
  { selector: 'edge[rel = "INTERSECTS_WITH"]', style: { 'line-style': 'dashed' } },
  // The arrow points from the wider requirement to the narrower one: evidence for the wider covers the narrower.
  { selector: 'edge[rel = "SUPERSET_OF"]', style: { 'target-arrow-shape': 'triangle' } },
  { selector: 'edge[rel = "SUBSET_OF"]', style: { 'source-arrow-shape': 'triangle' } },
];

function elements(g: Neighbourhood): ElementDefinition[] {
  const nodes = g.nodes.map((n) => ({
    data: {
      id: n.id,
      label: n.ref,
      framework: n.framework.key,
      ref: n.ref,
      hops: n.hops,
      color: styleOf(n.framework.key).color,
      shape: styleOf(n.framework.key).shape,
      coverage: n.hops === 0 ? 'CENTRE' : n.fullHops !== null ? 'FULL' : 'PARTIAL',
    },
  }));
  const edges = g.edges.map((e: GraphEdge) => ({
    data: { id: `m-${e.mappingId}`, source: e.from, target: e.to, rel: e.relationship, full: e.onFullPath, width: e.strength === null ? 1.5 : 1 + e.strength * 0.5 },
  }));
  return [...nodes, ...edges];
}

/**
 * The canvas: for eyes and pointers, and a keyboard (focus it, arrow keys select a requirement, Enter
 * centres on it, the selection is announced). Screen readers get the label's summary and the tables.
 */
function CytoscapeGraph({ graph, depth, label, onCentre }: { graph: Neighbourhood; depth: number; label: string; onCentre: (framework: string, ref: string) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const centreOn = useRef(onCentre);
  centreOn.current = onCentre;
  const [selected, setSelected] = useState<number | null>(null);
  useEffect(() => {
    let cy: Core | null = null;
    let live = true;
    setSelected(null);
    // Loaded on this page only: Cytoscape is its own chunk (vite.config.mts), not in every page's download.
    void import('cytoscape').then(({ default: cytoscape }) => {
      if (!live || !box.current) return;
      cy = cytoscape({
        container: box.current,
        elements: elements(graph),
        style: EDGE_STYLE,
        layout: { name: 'concentric', concentric: (n) => depth + 1 - Number(n.data('hops')), levelWidth: () => 1, minNodeSpacing: 28, animate: false },
        wheelSensitivity: 0.3,
        boxSelectionEnabled: false,
      });
      cyRef.current = cy;
      cy.on('tap', 'node', (evt) => {
        const n = evt.target;
        if (n.data('coverage') !== 'CENTRE') centreOn.current(n.data('framework'), n.data('ref'));
      });
      cy.on('mouseover', 'node', () => {
        if (box.current) box.current.style.cursor = 'pointer';
      });
      cy.on('mouseout', 'node', () => {
        if (box.current) box.current.style.cursor = '';
      });
      box.current.dataset.nodeCount = String(cy.nodes().length);
      box.current.dataset.edgeCount = String(cy.edges().length);
    });
    return () => {
      live = false;
      cy?.destroy();
      cyRef.current = null;
      if (box.current) {
        delete box.current.dataset.nodeCount;
        delete box.current.dataset.edgeCount;
      }
    };
  }, [graph, depth]);
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.nodes().unselect();
    if (selected !== null) cy.getElementById(graph.nodes[selected].id).select();
  }, [selected, graph]);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const count = graph.nodes.length;
    const step: Record<string, (i: number) => number> = {
      ArrowRight: (i) => (i + 1) % count,
      ArrowDown: (i) => (i + 1) % count,
      ArrowLeft: (i) => (i - 1 + count) % count,
      ArrowUp: (i) => (i - 1 + count) % count,
      Home: () => 0,
      End: () => count - 1,
    };
    if (step[e.key]) {
      e.preventDefault();
      // The first press leaves the centre for its nearest neighbour.
      setSelected((i) => (i === null ? Math.min(1, count - 1) : step[e.key](i)));
    } else if (e.key === 'Enter' && selected !== null && graph.nodes[selected].hops > 0) {
      e.preventDefault();
      centreOn.current(graph.nodes[selected].framework.key, graph.nodes[selected].ref);
    }
  };
  const chosen = selected === null ? null : graph.nodes[selected];
  return (
    <>
      <div
        ref={box}
        className="graph-canvas"
        role="group"
        aria-roledescription="graph"
        aria-label={label}
        aria-describedby="graph-keys"
        tabIndex={0}
        onKeyDown={onKey}
        data-testid="graph-canvas"
      />
      <p className="muted" id="graph-keys" role="status" aria-live="polite" data-testid="graph-selection">
        {chosen
          ? `Selected: ${fwName(chosen)} ${chosen.ref}, ${chosen.title} (${reach(chosen)}).${chosen.hops > 0 ? ' Enter centres the graph on it.' : ''}`
          : 'Click a requirement to centre the graph on it; with the keyboard, focus the graph, select with the arrow keys and press Enter, or use the tables below.'}
      </p>
    </>
  );
}

function Legend() {
  return (
    <div className="legend">
      <span className="legend-title">Frameworks:</span>
      {[...Object.values(FRAMEWORK_STYLE), OTHER].map((s) => (
        <span key={s.label} className="legend-item">
          <Shape shape={s.shape} color={s.color} /> {s.label}
        </span>
      ))}
      <span className="legend-title">Mappings:</span>
      <span className="legend-item"><Line /> equal</span>
      <span className="legend-item"><Line arrow /> subset / superset (arrow from the wider to the narrower)</span>
      <span className="legend-item"><Line dashed /> intersects</span>
      <span className="legend-item">thicker: stronger (1–10)</span>
      <span className="legend-title">Paths from the centre:</span>
      <span className="legend-item"><Line color="#1e3a8a" /> <Shape shape="ellipse" color="#9ca3af" border="double" /> FULL (every hop equal or wider)</span>
      <span className="legend-item"><Line color="#9ca3af" /> <Shape shape="ellipse" color="#9ca3af" border="dashed" /> PARTIAL</span>
    </div>
  );
}

function Shape({ shape, color, border }: { shape: string; color: string; border?: 'double' | 'dashed' }) {
  const stroke = border === 'dashed' ? { stroke: '#6b7280', strokeDasharray: '2 2', strokeWidth: 1.5 } : border === 'double' ? { stroke: '#111827', strokeWidth: 3 } : {};
  const common = { fill: color, ...stroke };
  let el;
  if (shape === 'round-rectangle') el = <rect x="2" y="3" width="12" height="10" rx="3" {...common} />;
  else if (shape === 'diamond') el = <polygon points="8,1 15,8 8,15 1,8" {...common} />;
  else if (shape === 'hexagon') el = <polygon points="4,2 12,2 15,8 12,14 4,14 1,8" {...common} />;
  else if (shape === 'triangle') el = <polygon points="8,2 15,14 1,14" {...common} />;
  else el = <circle cx="8" cy="8" r="6" {...common} />;
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" focusable="false" aria-hidden="true">
      {el}
    </svg>
  );
}

function Line({ dashed, arrow, color = '#374151' }: { dashed?: boolean; arrow?: boolean; color?: string }) {
  return (
    <svg width="30" height="10" viewBox="0 0 30 10" focusable="false" aria-hidden="true">
      <line x1="1" y1="5" x2={arrow ? 22 : 29} y2="5" stroke={color} strokeWidth="2.5" strokeDasharray={dashed ? '4 3' : undefined} />
      {arrow ? <polygon points="22,1 29,5 22,9" fill={color} /> : null}
    </svg>
  );
}
