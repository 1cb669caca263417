// borderwatch web map: our own basemap and the incident layers, drawn by MapLibre GL JS from
// data embedded in the page (window.BORDERWATCH, written by `borderwatch web`). Nothing is
// fetched: glyphs come through the borderwatch:// protocol from the same embedded data.
// Every text that comes from data is put in the page as text (textContent), never as HTML.
(async function () {
  'use strict';
  const DATA = window.BORDERWATCH;
  const L = DATA.layers;

  // ACLED's six event types, each with its colour; others fall back to grey.
  const TYPE_COLOURS = [
    ['Battles', '#d7301f'],
    ['Violence against civilians', '#7a0177'],
    ['Explosions/Remote violence', '#ec7014'],
    ['Riots', '#1d91c0'],
    ['Protests', '#41ab5d'],
    ['Strategic developments', '#525252'],
  ];
  const OTHER_COLOUR = '#a6a6a6';
  // Clusters: a dark navy that no event type's colour is near (CIELAB ΔE ≥ 39 from each; the
  // browser test asks for ≥ 25), dark enough for their white labels.
  const CLUSTER_COLOUR = '#081d58';
  // The ring of an incident whose fatalities are unknown (its circle has the size of 0).
  const UNKNOWN_RING = '#1d2329';
  const colourOf = (type) => (TYPE_COLOURS.find(([t]) => t === type) || [null, OTHER_COLOUR])[1];
  // Labels: bigger, more important places win collisions (lower sort key first).
  const KIND_RANK = { country: 0, province: 1, city: 2, border_crossing: 3, town: 4, district: 5, river: 6, area: 6, village: 7, border_post: 7 };
  const TOGGLES = [
    ['places', 'Place names', true],
    ['districts', 'District boundaries', true],
    ['buffer', 'Border buffer (' + (DATA.meta.km || 10) + ' km)', false],
    ['segments', 'Border segments (incident counts)', false],
    ['grid', 'Incident grid (hexagons)', false],
  ];

  // --- geodesy: Vincenty on WGS84 (sub-millimetre; the CLI uses Karney, same to ~1 mm here).
  const A = 6378137, F = 1 / 298.257223563, B = A * (1 - F);
  function geodesicKm(lon1, lat1, lon2, lat2) {
    const rad = Math.PI / 180;
    const L0 = (lon2 - lon1) * rad;
    const U1 = Math.atan((1 - F) * Math.tan(lat1 * rad)), U2 = Math.atan((1 - F) * Math.tan(lat2 * rad));
    const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    let lambda = L0, prev, sinSigma, cosSigma, sigma, cos2Alpha, cos2SigmaM, iterations = 0;
    do {
      const sinL = Math.sin(lambda), cosL = Math.cos(lambda);
      sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL);
      if (sinSigma === 0) return 0;
      cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinSigma, cosSigma);
      const sinAlpha = cosU1 * cosU2 * sinL / sinSigma;
      cos2Alpha = 1 - sinAlpha * sinAlpha;
      cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - 2 * sinU1 * sinU2 / cos2Alpha;
      const C = F / 16 * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
      prev = lambda;
      lambda = L0 + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    } while (Math.abs(lambda - prev) > 1e-12 && ++iterations < 200);
    const u2 = cos2Alpha * (A * A - B * B) / (B * B);
    const bigA = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    const bigB = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    const deltaSigma = bigB * sinSigma * (cos2SigmaM + bigB / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
      bigB / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return B * bigA * (sigma - deltaSigma) / 1000;
  }
  // The ring drawn around a picked point: 128 points at `km`, found by bisection on geodesicKm
  // along each bearing so the ring and the list agree.
  function ring(lon, lat, km) {
    const coords = [];
    for (let i = 0; i <= 128; i++) {
      const bearing = (i % 128) / 128 * 2 * Math.PI;
      let lo = 0, hi = km / 80; // degrees of arc, generous
      const at = (d) => {
        const la = lat + d * Math.cos(bearing);
        const lo2 = lon + d * Math.sin(bearing) / Math.cos(lat * Math.PI / 180);
        return [lo2, la];
      };
      for (let k = 0; k < 40; k++) {
        const mid = (lo + hi) / 2, p = at(mid);
        if (geodesicKm(lon, lat, p[0], p[1]) < km) lo = mid; else hi = mid;
      }
      coords.push(at(lo));
    }
    return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [coords] } }] };
  }

  // --- the packed incidents (src/web/packed.rs says how they are laid out).
  const PACKED_FORMAT = 1;
  // 10^d for scaled integers, as the packer multiplies; the integer that stands for null.
  const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
  const NULL_SCALED = -2147483648;
  const INDEX_TYPES = { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array };
  const align = (n) => Math.ceil(n / 4) * 4;
  function base64Bytes(b64) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    const text = atob(b64), bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  // The packed layer, read as columns in place: nothing is made per incident until something
  // asks for it (the map's features, a popup, a list, a download).
  async function unpack(layer) {
    const gzip = new Blob([base64Bytes(layer.packed.gzip_base64)]).stream();
    const buffer = await new Response(gzip.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
    const headerLength = new DataView(buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
    if (header.format !== PACKED_FORMAT) throw new Error('packed incidents of format ' + header.format + '; this page reads ' + PACKED_FORMAT);
    const n = header.rows;
    let offset = align(4 + headerLength);
    // Sections are read in place: little-endian, as the platforms of browsers are.
    const take = (Type) => { const a = new Type(buffer, offset, n); offset = align(offset + a.byteLength); return a; };
    const xs = take(Int32Array), ys = take(Int32Array);
    const columns = header.columns.map((c) => (c.scaled !== undefined
      ? { name: c.name, numbers: take(Int32Array), scale: POWERS_OF_TEN[c.scaled] }
      : { name: c.name, values: c.values, index: c.index ? take(INDEX_TYPES[c.index]) : null }));
    return incidentColumns({ n, xs, ys, scale: POWERS_OF_TEN[header.decimals], id: header.id, columns, bbox: layer.bbox });
  }

  // Row i's value in a column: a scaled number, its own dictionary entry, or the entry its index
  // gives.
  function valueAt(column, i) {
    if (column.numbers) return column.numbers[i] === NULL_SCALED ? null : column.numbers[i] / column.scale;
    return column.values[column.index ? column.index[i] : i];
  }

  // A column as a dictionary (its distinct values) and each row's code into it, what the filters
  // read; a column the data lacks is one value, undefined, for every row.
  function dictionaryOf(packed, column) {
    const { n } = packed;
    if (!column) return { values: [undefined], codes: new Uint8Array(n) };
    if (column.index) return { values: column.values, codes: column.index };
    const codes = new Uint32Array(n);
    if (!column.numbers) { for (let i = 0; i < n; i++) codes[i] = i; return { values: column.values, codes }; }
    const seen = new Map(), values = [];
    for (let i = 0; i < n; i++) {
      const v = valueAt(column, i);
      let code = seen.get(v);
      if (code === undefined) { seen.set(v, (code = values.length)); values.push(v); }
      codes[i] = code;
    }
    return { values, codes };
  }

  // The packed incidents and what the page asks of them by row: coordinates, properties, the
  // feature of the GeoJSON layer (the same members in the same order with the same values).
  function incidentColumns(packed) {
    const { n, xs, ys, scale, columns } = packed;
    const byName = new Map(columns.map((c) => [c.name, c]));
    const lon = (i) => xs[i] / scale, lat = (i) => ys[i] / scale;
    function properties(i) {
      const p = {};
      for (const c of columns) p[c.name] = valueAt(c, i);
      return p;
    }
    function feature(i) {
      const p = properties(i);
      return { type: 'Feature', id: p[packed.id], geometry: { type: 'Point', coordinates: [lon(i), lat(i)] }, properties: p };
    }
    // The FeatureCollection of these rows; of every row, as the layer file has it (with its bbox).
    function collection(rows) {
      const all = rows === undefined;
      const collection = { type: 'FeatureCollection', features: all ? Array.from({ length: n }, (_, i) => feature(i)) : rows.map(feature) };
      if (all && packed.bbox) collection.bbox = packed.bbox;
      return collection;
    }
    const value = (name, i) => { const c = byName.get(name); return c ? valueAt(c, i) : undefined; };
    return { n, lon, lat, properties, feature, collection, value, dictionary: (name) => dictionaryOf(packed, byName.get(name)) };
  }

  // --- the map, made first: the worker loads the basemap while the page unpacks the incidents.
  // The view of a link's hash (#map=zoom/lat/lon), if it has one.
  function viewOfHash() {
    const view = (new URLSearchParams(location.hash.slice(1)).get('map') || '').split('/').map(Number);
    return view.length === 3 && view.every(Number.isFinite) ? { zoom: view[0], center: [view[2], view[1]] } : null;
  }
  const glyphs = DATA.glyphs;
  maplibregl.addProtocol('borderwatch', async (params) => {
    const m = /^borderwatch:\/\/glyphs\/(.+)\/(\d+-\d+)\.pbf$/.exec(params.url);
    const b64 = m && glyphs[decodeURIComponent(m[1])] && glyphs[decodeURIComponent(m[1])][m[2]];
    if (!b64) return { data: new ArrayBuffer(0) }; // a range no label uses: no glyphs
    return { data: base64Bytes(b64).buffer };
  });

  for (const f of L.places.features) {
    const p = f.properties;
    p.rank = (KIND_RANK[p.kind] ?? 8) * 1e8 - Math.min(p.population || 0, 9e7);
  }
  const initialView = viewOfHash();
  const style = {
    version: 8,
    glyphs: 'borderwatch://glyphs/{fontstack}/{range}.pbf',
    sources: {
      countries: { type: 'geojson', data: L.countries },
      districts: { type: 'geojson', data: L.districts },
      rivers: { type: 'geojson', data: L.rivers },
      border: { type: 'geojson', data: L.border },
      buffer: { type: 'geojson', data: L.buffer },
      segments: { type: 'geojson', data: L.segments },
      grid: { type: 'geojson', data: L.grid },
      places: { type: 'geojson', data: L.places },
      incidents: {
        // Empty until the incidents are unpacked and filtered (apply(), once the style loads);
        // their features are drawnFeature()'s.
        type: 'geojson', data: { type: 'FeatureCollection', features: [] }, cluster: true, clusterRadius: 40, clusterMaxZoom: 11,
        // Unknown fatalities are counted apart, never summed as 0.
        clusterProperties: {
          fatalities: ['+', ['get', 'fatalities']],
          unknown_fatalities: ['+', ['get', 'unknown_fatalities']],
        },
      },
      radius: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    },
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': '#d6e6f0' } },
      { id: 'countries', type: 'fill', source: 'countries', paint: {
        'fill-color': ['match', ['get', 'iso_a3'], 'AFG', '#f4efe2', 'TJK', '#eaf0e1', '#ecebe7'] } },
      { id: 'grid', type: 'fill', source: 'grid', paint: {
        'fill-color': ['interpolate', ['linear'], ['get', 'incidents'], 1, '#fdd49e', 5, '#e34a33', 20, '#7f0000'],
        'fill-opacity': 0.55, 'fill-outline-color': '#b30000' } },
      { id: 'buffer', type: 'fill', source: 'buffer', paint: { 'fill-color': '#f4a261', 'fill-opacity': 0.22 } },
      { id: 'districts', type: 'line', source: 'districts', minzoom: 5.5, paint: {
        'line-color': '#a59d8c', 'line-width': 0.6, 'line-dasharray': [3, 2] } },
      { id: 'rivers', type: 'line', source: 'rivers', paint: {
        'line-color': '#5b9bd5', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 10, 3] } },
      { id: 'borders', type: 'line', source: 'border', filter: ['!', ['get', 'af_tj']], paint: {
        'line-color': '#7d7d7d', 'line-width': 1.2, 'line-dasharray': [4, 2] } },
      { id: 'border-af-tj-halo', type: 'line', source: 'border', filter: ['get', 'af_tj'], paint: {
        'line-color': '#ffffff', 'line-width': 6, 'line-opacity': 0.8 } },
      { id: 'border-af-tj', type: 'line', source: 'border', filter: ['get', 'af_tj'], paint: {
        'line-color': '#b2182b', 'line-width': 2.5 } },
      { id: 'segments', type: 'line', source: 'segments', paint: {
        'line-color': ['step', ['get', 'incidents'], '#fff7bc', 1, '#fd8d3c', 3, '#bd0026'], 'line-width': 7, 'line-opacity': 0.85 } },
      { id: 'radius-fill', type: 'fill', source: 'radius', paint: { 'fill-color': '#1f78b4', 'fill-opacity': 0.08 } },
      { id: 'radius-line', type: 'line', source: 'radius', paint: { 'line-color': '#1f78b4', 'line-width': 1.5, 'line-dasharray': [2, 1] } },
      { id: 'river-labels', type: 'symbol', source: 'rivers', minzoom: 5, layout: {
        'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': ['Noto Sans Regular'], 'text-size': 11 },
        paint: { 'text-color': '#2b6a9e', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 } },
      { id: 'places', type: 'symbol', source: 'places',
        filter: ['any',
          ['==', ['get', 'kind'], 'country'],
          ['all', ['==', ['get', 'kind'], 'province'], ['>=', ['zoom'], 5]],
          ['all', ['in', ['get', 'kind'], ['literal', ['city', 'border_crossing']]], ['>=', ['zoom'], 6]],
          ['all', ['in', ['get', 'kind'], ['literal', ['town', 'district']]], ['>=', ['zoom'], 8]],
          ['>=', ['zoom'], 10]],
        layout: {
          'text-field': ['get', 'name'],
          'text-font': ['match', ['get', 'kind'], ['country', 'province'], ['literal', ['Noto Sans Bold']], ['literal', ['Noto Sans Regular']]],
          'text-size': ['match', ['get', 'kind'], 'country', 15, 'province', 12, 11],
          'text-transform': ['match', ['get', 'kind'], 'country', 'uppercase', 'none'],
          'text-letter-spacing': ['match', ['get', 'kind'], 'country', 0.15, 0],
          'symbol-sort-key': ['get', 'rank'],
          'text-variable-anchor': ['center', 'top', 'bottom', 'left', 'right'],
          'text-radial-offset': 0.4,
          'text-max-width': 9,
        },
        paint: {
          'text-color': ['match', ['get', 'kind'], 'country', '#5a5048', 'province', '#6d645a', 'district', '#7a6f60', '#26221e'],
          'text-halo-color': '#ffffff', 'text-halo-width': 1.3,
        } },
      { id: 'incident-clusters', type: 'circle', source: 'incidents', filter: ['has', 'point_count'], paint: {
        'circle-color': CLUSTER_COLOUR, 'circle-opacity': 0.85, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
        'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 13, 50, 24, 500, 34] } },
      { id: 'incident-cluster-labels', type: 'symbol', source: 'incidents', filter: ['has', 'point_count'], layout: {
        'text-field': ['format', ['get', 'point_count_abbreviated'], {}, '\n', {},
          // "6+†": at least 6, some unknown (the popup says how many).
          ['concat', ['to-string', ['get', 'fatalities']], ['case', ['>', ['get', 'unknown_fatalities'], 0], '+', ''], '†'],
          { 'font-scale': 0.75 }],
        'text-font': ['Noto Sans Bold'], 'text-size': 12, 'text-allow-overlap': true },
        paint: { 'text-color': '#ffffff' } },
      { id: 'incidents', type: 'circle', source: 'incidents', filter: ['!', ['has', 'point_count']], paint: {
        'circle-color': ['match', ['get', 'type']].concat(TYPE_COLOURS.flatMap(([, colour], code) => [code, colour]), [OTHER_COLOUR]),
        'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'fatalities']], 0, 6, 10, 22],
        'circle-opacity': 0.9, 'circle-stroke-color': ['case', ['==', ['get', 'unknown_fatalities'], 0], '#ffffff', UNKNOWN_RING],
        'circle-stroke-width': 1.5 } },
    ],
  };
  const map = new maplibregl.Map({
    container: 'map',
    style,
    center: initialView ? initialView.center : undefined,
    zoom: initialView ? initialView.zoom : undefined,
    bounds: initialView ? undefined : DATA.meta.view,
    fitBoundsOptions: { padding: 40 },
    attributionControl: false,
    maxPitch: 0,
    // Text that data gives is never put in the page as HTML, so the map's own HTML sinks only see ours.
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 140 }), 'bottom-left');
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: DATA.meta.attribution_html }), 'bottom-right');
  // The style's sources exist (the incidents can be given to the map) before the basemap has
  // loaded (the map fires 'load').
  const styleReady = new Promise((resolve) => map.once('style.load', resolve));
  const mapLoaded = new Promise((resolve) => map.once('load', resolve));

  // The incidents come packed (columns, gzip, base64: src/web/packed.rs) and stay so: read
  // by row number.
  const incidents = await unpack(L.incidents);

  // --- dates: whole days since 1970 (UTC) for the slider; each date's day found once.
  const DAY = 86400000;
  const days = new Map();
  const dayOf = (iso) => {
    let day = days.get(iso);
    if (day === undefined) days.set(iso, (day = Math.floor(Date.parse(iso + 'T00:00:00Z') / DAY)));
    return day;
  };
  const isoOf = (day) => new Date(day * DAY).toISOString().slice(0, 10);
  // ACLED time_precision: how exact an event_date is. The data gives every dated incident one
  // (the reader infers it from the date's form when the column is missing).
  const TIME_PRECISION = { day: 1, week: 2, month: 3 };
  // A date as exact as the data: 2017-10-15 (day), "week of 2017-10-15", 2017-10 (month);
  // '' when unknown. Exports write a month's first day: the page must not show it as a day.
  function dateText(iso, precision) {
    if (!iso) return '';
    const day = String(iso).slice(0, 10);
    if (Number(precision) === TIME_PRECISION.week) return 'week of ' + day;
    if (Number(precision) === TIME_PRECISION.month) return day.slice(0, 7);
    return day;
  }
  const dateOf = (p) => dateText(p.event_date, p.time_precision);

  // --- state, kept in the URL hash. The filters read the dictionaries of these columns.
  const unlocated = DATA.unlocated;
  const ACTOR_FIELDS = ['actor1', 'actor2', 'assoc_actor_1', 'assoc_actor_2'];
  const columns = {
    date: incidents.dictionary('event_date'), precision: incidents.dictionary('time_precision'),
    type: incidents.dictionary('event_type'), country: incidents.dictionary('country'),
    actors: ACTOR_FIELDS.map((name) => incidents.dictionary(name)),
  };
  // Every value of a field, on the map or not.
  const valuesOf = (dictionary, field) => dictionary.values.concat(unlocated.map((p) => p[field]));
  const dated = valuesOf(columns.date, 'event_date').filter(Boolean).map(dayOf);
  // A loop, not Math.min(...dated): a million arguments overflow the stack.
  const minDay = dated.length ? dated.reduce((a, b) => Math.min(a, b)) : dayOf('2000-01-01');
  const maxDay = dated.length ? dated.reduce((a, b) => Math.max(a, b)) : minDay;
  const precisionOnDay = finestPrecisionOnDays();
  // A slider bound as a label: the day it stands at, except at either end of the data, where it
  // is the first (or last) incidents' date as exact as they are: "From 2017-10", never the
  // 2017-10-01 that stands for a month.
  const boundText = (day) => (day === minDay || day === maxDay ? dateText(isoOf(day), precisionOnDay.get(day)) : isoOf(day));
  const allTypes = Array.from(new Set(valuesOf(columns.type, 'event_type').filter(Boolean))).sort();
  // Each actor field's names (a field may list several, split by ';'), found once per text.
  const actorNames = new Map();
  const namesIn = (a) => {
    let names = actorNames.get(a);
    if (!names) actorNames.set(a, (names = String(a).split(';').map((n) => n.trim()).filter(Boolean)));
    return names;
  };
  const allActors = Array.from(new Set(ACTOR_FIELDS.flatMap((field, k) => valuesOf(columns.actors[k], field))
    .filter(Boolean).flatMap(namesIn))).sort();
  const allCountries = Array.from(new Set(valuesOf(columns.country, 'country').filter(Boolean))).sort();

  // The finest precision of the incidents dated on each day, for the slider's end labels: the
  // finest of each date's incidents on the map, then of each day's dates and the unlocated.
  function finestPrecisionOnDays() {
    const { date, precision } = columns;
    const precisionOf = precision.values.map((v) => Number(v) || TIME_PRECISION.day);
    const finest = new Uint8Array(date.values.length);
    for (let i = 0; i < incidents.n; i++) {
      const d = date.codes[i], p = precisionOf[precision.codes[i]];
      if (!finest[d] || p < finest[d]) finest[d] = p;
    }
    const onDay = new Map();
    const add = (iso, p) => {
      if (!iso) return;
      const day = dayOf(iso);
      onDay.set(day, Math.min(p, onDay.get(day) ?? p));
    };
    date.values.forEach((iso, d) => add(iso, finest[d]));
    for (const p of unlocated) add(p.event_date, Number(p.time_precision) || TIME_PRECISION.day);
    return onDay;
  }

  const state = {
    from: minDay, to: maxDay, undated: true, types: new Set(allTypes), actor: '', country: '',
    layers: new Set(TOGGLES.filter((t) => t[2]).map((t) => t[0])),
  };

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const day = (v, d) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Math.min(maxDay, Math.max(minDay, dayOf(v))) : d);
    state.from = day(params.get('from'), minDay);
    state.to = day(params.get('to'), maxDay);
    if (params.has('types')) state.types = new Set(params.get('types').split('|').filter((t) => allTypes.includes(t)));
    if (params.has('undated')) state.undated = params.get('undated') !== '0';
    state.actor = allActors.includes(params.get('actor')) ? params.get('actor') : '';
    state.country = allCountries.includes(params.get('country')) ? params.get('country') : '';
    if (params.has('layers')) state.layers = new Set(params.get('layers').split('|'));
    return viewOfHash();
  }
  function writeHash() {
    const params = new URLSearchParams();
    const c = map.getCenter();
    params.set('map', [map.getZoom().toFixed(2), c.lat.toFixed(4), c.lng.toFixed(4)].join('/'));
    if (state.from !== minDay) params.set('from', isoOf(state.from));
    if (state.to !== maxDay) params.set('to', isoOf(state.to));
    if (state.types.size !== allTypes.length) params.set('types', Array.from(state.types).join('|'));
    if (!state.undated) params.set('undated', '0');
    if (state.actor) params.set('actor', state.actor);
    if (state.country) params.set('country', state.country);
    params.set('layers', Array.from(state.layers).join('|'));
    history.replaceState(null, '', '#' + params.toString());
  }

  // Each filter as a test of one field's value; an incident passes when each of its fields
  // does. The incidents on the map are tested a dictionary entry at a time (filterMasks), those
  // without a place one by one (passes).
  const dateOk = (iso) => (iso ? dayOf(iso) >= state.from && dayOf(iso) <= state.to : state.undated);
  const typeOk = (type) => !type || state.types.has(type);
  const actorOk = (field) => Boolean(field) && namesIn(field).includes(state.actor);
  const countryOk = (country) => !state.country || country === state.country;
  function passes(p) {
    return dateOk(p.event_date) && typeOk(p.event_type) && countryOk(p.country) &&
      (!state.actor || ACTOR_FIELDS.some((field) => actorOk(p[field])));
  }
  const filterMasks = () => ({
    date: columns.date.values.map(dateOk), type: columns.type.values.map(typeOk),
    country: columns.country.values.map(countryOk), actors: state.actor ? columns.actors.map((d) => d.values.map(actorOk)) : null,
  });
  // The rows of the incidents on the map that pass the filters, in order.
  function filteredRows() {
    const m = filterMasks(), { date, type, country, actors } = columns;
    const rows = [];
    for (let i = 0; i < incidents.n; i++) {
      if (!m.date[date.codes[i]] || !m.type[type.codes[i]] || !m.country[country.codes[i]]) continue;
      if (m.actors && !actors.some((d, k) => m.actors[k][d.codes[i]])) continue;
      rows.push(i);
    }
    return rows;
  }
  // The map's source gets what its layers draw and a click needs, so little is copied to its
  // worker and indexed there; the rest stays in the columns: the row, to find the incident; the
  // event type as its colour's place in TYPE_COLOURS (-1: another or none); fatalities, 0 when
  // unknown, and unknown_fatalities, 1 when unknown. A point's are what its cluster sums (plain
  // gets, the quickest expressions to evaluate for every point merged at every zoom). Each
  // row's feature is made once, when first drawn.
  const typeColour = columns.type.values.map((t) => TYPE_COLOURS.findIndex(([name]) => name === t));
  const drawnFeatures = new Array(incidents.n);
  function drawnFeature(i) {
    if (drawnFeatures[i]) return drawnFeatures[i];
    const fatalities = incidents.value('fatalities', i), known = typeof fatalities === 'number';
    const properties = { row: i, type: typeColour[columns.type.codes[i]], fatalities: known ? fatalities : 0, unknown_fatalities: known ? 0 : 1 };
    return (drawnFeatures[i] = { type: 'Feature', geometry: { type: 'Point', coordinates: [incidents.lon(i), incidents.lat(i)] }, properties });
  }
  const drawnData = (rows) => ({ type: 'FeatureCollection', features: rows.map(drawnFeature) });
  // The filters the source's data was made with: it is made again only when they change.
  const filterKey = () => JSON.stringify([state.from, state.to, state.undated, Array.from(state.types).sort(), state.actor, state.country]);
  let drawnKey = null;


  // --- the panel.
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const from = $('from'), to = $('to');
  for (const input of [from, to]) { input.min = minDay; input.max = maxDay; }
  for (const [type] of TYPE_COLOURS.filter(([t]) => allTypes.includes(t)).concat(allTypes.filter((t) => !TYPE_COLOURS.some(([c]) => c === t)).map((t) => [t]))) {
    const label = el('label', null, 'check');
    const box = el('input');
    box.type = 'checkbox'; box.value = type; box.name = 'type';
    const swatch = el('span', null, 'swatch');
    swatch.style.background = colourOf(type);
    label.append(box, swatch, document.createTextNode(type));
    $('types').append(label);
  }
  for (const a of allActors) { const o = el('option', a); o.value = a; $('actor').append(o); }
  for (const c of allCountries) { const o = el('option', c); o.value = c; $('country').append(o); }
  for (const [id, label, _] of TOGGLES) {
    const l = el('label', null, 'check');
    const box = el('input');
    box.type = 'checkbox'; box.value = id; box.name = 'layer';
    l.append(box, document.createTextNode(label));
    $('toggles').append(l);
  }
  $('title').textContent = DATA.meta.title;
  $('sources').textContent = 'Sources: ' + DATA.meta.sources.join('; ') + '. Made by ' + DATA.meta.generator + ' on ' + DATA.meta.generated_at + '.';

  function syncControls() {
    from.value = state.from; to.value = state.to;
    $('from-label').textContent = boundText(state.from);
    $('to-label').textContent = boundText(state.to);
    $('undated').checked = state.undated;
    for (const box of document.querySelectorAll('input[name=type]')) box.checked = state.types.has(box.value);
    for (const box of document.querySelectorAll('input[name=layer]')) box.checked = state.layers.has(box.value);
    $('actor').value = state.actor; $('country').value = state.country;
  }

  // The incidents of these rows by event type ('': none given).
  function countByType(rows) {
    const { values, codes } = columns.type, perEntry = new Uint32Array(values.length);
    for (const i of rows) perEntry[codes[i]]++;
    const counts = new Map();
    values.forEach((type, k) => { if (perEntry[k]) counts.set(type || '', (counts.get(type || '') || 0) + perEntry[k]); });
    return counts;
  }

  // The legend counts what the map draws (`counts`, by type, those without a type too); the
  // incidents that pass the filters but have no place are counted apart (`notOnMap`).
  function renderLegend(counts, notOnMap) {
    const list = $('legend');
    list.replaceChildren();
    const item = (colour, text, type) => {
      const li = el('li');
      const swatch = el('span', null, 'swatch');
      swatch.style.background = colour;
      li.append(swatch, el('span', text));
      li.dataset.type = type;
      li.dataset.count = counts.get(type) || 0;
      list.append(li);
    };
    for (const type of allTypes) item(colourOf(type), type + ' (' + (counts.get(type) || 0) + ')', type);
    if (counts.has('')) item(OTHER_COLOUR, 'Type not given (' + counts.get('') + ')', '');
    const cluster = el('li', null, 'cluster');
    const swatch = el('span', null, 'swatch');
    swatch.style.background = CLUSTER_COLOUR;
    cluster.append(swatch, el('span', 'Cluster of incidents'));
    list.append(cluster);
    $('legend-off').textContent = notOnMap ? notOnMap + ' not on the map (no place; listed under "Not on the map")' : '';
  }

  function renderUnlocated() {
    const list = $('unlocated');
    list.replaceChildren();
    const shown = unlocated.filter(passes);
    for (const p of shown) {
      const li = el('li');
      li.append(el('strong', (dateOf(p) || 'date unknown') + ' · ' + (p.event_type || 'type unknown')));
      li.append(el('div', 'Place as given: ' + (p.location || p.admin2 || p.admin1 || '(none)')));
      if (p.notes) li.append(el('div', p.notes, 'note'));
      list.append(li);
    }
    if (!shown.length) list.append(el('li', 'None with the current filters.', 'note'));
    return shown.length;
  }

  let radiusCentre = null;
  function renderRadius() {
    const list = $('radius-list');
    list.replaceChildren();
    if (!radiusCentre) { map.getSource('radius').setData({ type: 'FeatureCollection', features: [] }); return; }
    const km = Number($('radius-km').value);
    if (!(km > 0)) { $('radius-status').textContent = 'Give a radius greater than 0 km.'; return; }
    const [lon, lat] = radiusCentre;
    const hits = [];
    for (const i of shown) {
      const d = geodesicKm(lon, lat, incidents.lon(i), incidents.lat(i));
      if (d <= km) hits.push({ row: i, km: d });
    }
    hits.sort((a, b) => a.km - b.km);
    map.getSource('radius').setData(ring(lon, lat, km));
    $('radius-status').textContent = hits.length + ' incident' + (hits.length === 1 ? '' : 's') + ' within ' + km + ' km of ' +
      lat.toFixed(4) + ', ' + lon.toFixed(4) + ' (geodesic distance):';
    for (const h of hits) {
      h.p = incidents.properties(h.row);
      const li = el('li', h.km.toFixed(1) + ' km · ' + (dateOf(h.p) || 'date unknown') + ' · ' + (h.p.location || '') + ' · ' + (h.p.event_type || ''));
      li.dataset.km = h.km.toFixed(3);
      li.dataset.id = h.p.event_id_cnty;
      list.append(li);
    }
  }

  // The style has loaded (its sources and layers can be changed), and the rows on the map.
  let ready = false, shown = [];
  function apply() {
    shown = filteredRows();
    if (ready && filterKey() !== drawnKey) {
      map.getSource('incidents').setData(drawnData(shown));
      drawnKey = filterKey();
    }
    for (const [id] of TOGGLES) {
      const visibility = state.layers.has(id) ? 'visible' : 'none';
      for (const layer of id === 'places' ? ['places', 'river-labels'] : [id]) {
        if (ready) map.setLayoutProperty(layer, 'visibility', visibility);
      }
    }
    const off = renderUnlocated();
    renderLegend(countByType(shown), off);
    $('summary').textContent = shown.length + ' of ' + incidents.n + ' located incidents shown' +
      (unlocated.length ? '; ' + off + ' of ' + unlocated.length + ' without a place listed below' : '') + '.';
    syncControls();
    if (ready) { renderRadius(); writeHash(); }
    return shown.length;
  }

  // --- popups: every value from data set as text.
  function popupFor(p) {
    const box = el('div', null, 'popup');
    box.append(el('h3', (p.event_type || 'Incident') + (p.sub_event_type ? ' · ' + p.sub_event_type : '')));
    const dl = el('dl');
    const row = (k, v) => { if (v !== undefined && v !== null && v !== '') dl.append(el('dt', k), el('dd', v)); };
    row('Date', dateOf(p) || 'unknown');
    row('Actors', [p.actor1, p.actor2].filter(Boolean).join(' vs ') || null);
    row('Fatalities', p.fatalities ?? 'unknown');
    const geo = { 1: 'exact place', 2: 'near a place / district', 3: 'province or wider' };
    row('Location', [p.location, p.admin2, p.admin1, p.country].filter(Boolean).join(', ') +
      (p.geo_precision ? ' (geo precision ' + p.geo_precision + ': ' + (geo[p.geo_precision] || '') + ')' : ''));
    if (p.border_km !== undefined) row('To the AF–TJ border', p.border_km + ' km, ' + (p.side || ''));
    row('Notes', p.notes);
    row('Source', p.source);
    row('ID', p.event_id_cnty);
    box.append(dl);
    if (p.evidence) box.append(el('blockquote', p.evidence));
    const url = String(p.source_url || p.url || '');
    if (/^https?:\/\//i.test(url)) {
      const a = el('a', url);
      a.href = url; a.rel = 'noopener noreferrer'; a.target = '_blank';
      box.append(a);
    }
    return box;
  }

  // A sum of fatalities as honest as its parts: "8", or "at least 6 (1 unknown)".
  const fatalitiesText = (sum, unknown) => (unknown > 0 ? 'at least ' + sum + ' (' + unknown + ' unknown)' : String(sum));

  // A cluster's popup: its incidents, their fatalities, and a button that zooms in until it splits.
  function clusterPopupFor(c, zoomIn) {
    const box = el('div', null, 'popup');
    box.append(el('h3', c.point_count + ' incidents'));
    const dl = el('dl');
    dl.append(el('dt', 'Fatalities'), el('dd', fatalitiesText(c.fatalities, c.unknown_fatalities)));
    box.append(dl);
    const button = el('button', 'Zoom in');
    button.type = 'button';
    button.addEventListener('click', zoomIn);
    box.append(button);
    return box;
  }

  function download(name, type, text) {
    const a = el('a');
    a.href = URL.createObjectURL(new Blob([text], { type }));
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
  function toCsv(features) {
    const columns = [];
    for (const f of features) for (const k of Object.keys(f.properties)) if (!columns.includes(k)) columns.push(k);
    const cell = (v) => {
      if (v === null || v === undefined) return '';
      const s = String(v);
      // A leading = + - @ makes spreadsheets run a formula: quote it as text.
      const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? "'" + s : s;
      return /[",\n\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe;
    };
    const lines = [columns.join(',')];
    for (const f of features) lines.push(columns.map((c) => cell(f.properties[c])).join(','));
    return lines.join('\r\n') + '\r\n';
  }

  // --- events.
  readHash();
  from.addEventListener('input', () => { state.from = Number(from.value); if (state.from > state.to) state.to = state.from; apply(); });
  to.addEventListener('input', () => { state.to = Number(to.value); if (state.to < state.from) state.from = state.to; apply(); });
  $('undated').addEventListener('change', (e) => { state.undated = e.target.checked; apply(); });
  $('types').addEventListener('change', (e) => { if (e.target.checked) state.types.add(e.target.value); else state.types.delete(e.target.value); apply(); });
  $('toggles').addEventListener('change', (e) => { if (e.target.checked) state.layers.add(e.target.value); else state.layers.delete(e.target.value); apply(); });
  $('actor').addEventListener('change', (e) => { state.actor = e.target.value; apply(); });
  $('country').addEventListener('change', (e) => { state.country = e.target.value; apply(); });
  $('reset').addEventListener('click', () => {
    Object.assign(state, { from: minDay, to: maxDay, undated: true, types: new Set(allTypes), actor: '', country: '' });
    apply();
  });
  let timer = null;
  $('play').addEventListener('click', (e) => {
    const button = e.currentTarget;
    if (timer) { clearInterval(timer); timer = null; button.setAttribute('aria-pressed', 'false'); button.textContent = '▶ Play'; return; }
    button.setAttribute('aria-pressed', 'true'); button.textContent = '❚❚ Pause';
    const step = Math.max(1, Math.ceil((maxDay - minDay) / 24));
    state.to = state.from;
    apply();
    timer = setInterval(() => {
      state.to = Math.min(maxDay, state.to + step);
      apply();
      if (state.to >= maxDay) button.click();
    }, 300);
  });
  $('panel-toggle').addEventListener('click', (e) => {
    const open = !document.body.classList.toggle('panel-closed');
    e.currentTarget.setAttribute('aria-expanded', String(open));
    map.resize();
  });
  $('radius-pick').addEventListener('click', (e) => {
    const on = e.currentTarget.getAttribute('aria-pressed') !== 'true';
    e.currentTarget.setAttribute('aria-pressed', String(on));
    map.getCanvas().classList.toggle('picking', on);
    $('radius-status').textContent = on ? 'Click the map to choose the centre.' : '';
  });
  $('radius-km').addEventListener('change', renderRadius);
  $('download-csv').addEventListener('click', () => download('incidents.csv', 'text/csv', toCsv(incidents.collection(shown).features)));
  $('download-geojson').addEventListener('click', () => download('incidents.geojson', 'application/geo+json', JSON.stringify(incidents.collection(shown))));

  map.on('click', (e) => {
    const pick = $('radius-pick');
    if (pick.getAttribute('aria-pressed') === 'true') {
      radiusCentre = [e.lngLat.lng, e.lngLat.lat];
      pick.click();
      renderRadius();
      return;
    }
    const hit = map.queryRenderedFeatures(e.point, { layers: ['incidents', 'incident-clusters'] })[0];
    if (!hit) return;
    if (hit.properties.cluster) {
      const popup = new maplibregl.Popup({ maxWidth: '20rem' }).setLngLat(hit.geometry.coordinates);
      const zoomIn = () => {
        popup.remove();
        map.getSource('incidents').getClusterExpansionZoom(hit.properties.cluster_id)
          .then((zoom) => map.easeTo({ center: hit.geometry.coordinates, zoom }));
      };
      popup.setDOMContent(clusterPopupFor(hit.properties, zoomIn)).addTo(map);
      return;
    }
    const p = incidents.properties(hit.properties.row);
    new maplibregl.Popup({ maxWidth: '20rem' }).setLngLat(hit.geometry.coordinates).setDOMContent(popupFor(p)).addTo(map);
  });
  for (const layer of ['incidents', 'incident-clusters']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  map.on('moveend', () => { if (ready) writeHash(); });

  // The incidents go to the map as soon as its style has loaded, while the basemap may still be
  // loading: the map loads once, with them, not a second time for them.
  const started = styleReady.then(() => {
    ready = true;
    apply();
  });
  const loaded = Promise.all([started, mapLoaded]).then(() => {
    // On a phone the credits start folded behind their (i) button, clear of the scale bar.
    const credits = document.querySelector('.maplibregl-ctrl-attrib.maplibregl-compact-show');
    if (credits && window.matchMedia('(max-width: 720px)').matches) credits.querySelector('summary').click();
  });
  apply();

  // For tests and the browser console: the map, its state, and the functions that drive it;
  // `incidents` is the layer file's FeatureCollection, made when first asked for.
  let layerFile = null;
  window.borderwatch = {
    map, state, apply, loaded, geodesicKm, popupFor, passes, toCsv,
    get incidents() { return (layerFile ??= incidents.collection()); },
    properties: incidents.properties,
    dayOf, isoOf, dateText, fatalitiesText,
    radiusCentre: () => radiusCentre,
  };
})();
