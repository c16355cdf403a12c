// Reads and writes flatbuffers by hand (DataView), for the TFLite model tools in scripts/.
//
// Why by hand: model preparation runs during `npm ci`, before any TS tooling and without the
// `flatbuffers` package. Only what the model tools need is here: bounds-checked reading of
// tables, vectors, strings and scalars, and a writer whose offsets all point forward, so new
// tables can be written IN FRONT of an untouched original buffer and refer into it.

/** A bounds-checked view of one flatbuffer; every read throws a descriptive Error if out of range. */
export class FlatReader {
	/** @param {Uint8Array} bytes @param {string} what */
	constructor(bytes, what) {
		if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected a Uint8Array`);
		this.bytes = bytes;
		this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		this.what = what;
	}

	/** @param {string} message @returns {never} */
	fail(message) {
		throw new Error(`${this.what}: ${message}`);
	}

	/** @param {number} pos @param {number} size */
	check(pos, size) {
		if (!Number.isInteger(pos) || pos < 0 || pos + size > this.bytes.length) {
			this.fail(`offset ${pos} (+${size}) is out of range (${this.bytes.length} bytes); not a valid flatbuffer`);
		}
	}

	/** @param {number} pos */
	u8(pos) {
		this.check(pos, 1);
		return this.view.getUint8(pos);
	}
	/** @param {number} pos */
	u16(pos) {
		this.check(pos, 2);
		return this.view.getUint16(pos, true);
	}
	/** @param {number} pos */
	u32(pos) {
		this.check(pos, 4);
		return this.view.getUint32(pos, true);
	}
	/** @param {number} pos */
	i32(pos) {
		this.check(pos, 4);
		return this.view.getInt32(pos, true);
	}
	/** @param {number} pos */
	f32(pos) {
		this.check(pos, 4);
		return this.view.getFloat32(pos, true);
	}

	/** Follows the uoffset stored at `pos`. @param {number} pos */
	deref(pos) {
		const target = pos + this.u32(pos);
		this.check(target, 4);
		return target;
	}

	/** @param {string} identifier @returns {Table} */
	root(identifier) {
		if (this.bytes.length < 8) this.fail(`too short (${this.bytes.length} bytes) to be a flatbuffer`);
		const found = ascii(this.bytes.subarray(4, 8));
		if (found !== identifier) this.fail(`file identifier is ${JSON.stringify(found)}, expected "${identifier}"`);
		return this.table(this.deref(0));
	}

	/** @param {number} pos @returns {Table} */
	table(pos) {
		const vtable = pos - this.i32(pos);
		const vtableSize = this.u16(vtable);
		if (vtableSize < 4 || vtableSize % 2 !== 0) this.fail(`bad vtable size ${vtableSize} at ${vtable}`);
		this.check(vtable, vtableSize);
		return { pos, vtable, slotCount: (vtableSize - 4) / 2 };
	}

	/** Absolute position of a field's value, or 0 when absent. @param {Table} table @param {number} slot */
	field(table, slot) {
		if (slot >= table.slotCount) return 0;
		const offset = this.u16(table.vtable + 4 + 2 * slot);
		return offset === 0 ? 0 : table.pos + offset;
	}

	/** Target of an offset field, or 0 when absent. @param {Table} table @param {number} slot */
	ref(table, slot) {
		const pos = this.field(table, slot);
		return pos === 0 ? 0 : this.deref(pos);
	}

	/** @param {number} pos position of the length prefix @param {number} elementSize */
	vector(pos, elementSize) {
		const length = this.u32(pos);
		this.check(pos + 4, length * elementSize);
		return { start: pos + 4, length };
	}

	/** Positions of a [Table] vector's tables; [] when absent. @param {Table} table @param {number} slot */
	tables(table, slot) {
		const pos = this.ref(table, slot);
		if (pos === 0) return [];
		const { start, length } = this.vector(pos, 4);
		return Array.from({ length }, (_, i) => this.deref(start + 4 * i));
	}

	/** @param {Table} table @param {number} slot @param {'i32' | 'f32'} type @returns {number[]} */
	numbers(table, slot, type) {
		const pos = this.ref(table, slot);
		if (pos === 0) return [];
		const { start, length } = this.vector(pos, 4);
		return Array.from({ length }, (_, i) => this[type](start + 4 * i));
	}

	/** @param {Table} table @param {number} slot */
	bytesField(table, slot) {
		const pos = this.ref(table, slot);
		if (pos === 0) return undefined;
		const { start, length } = this.vector(pos, 1);
		return this.bytes.subarray(start, start + length);
	}

	/** @param {Table} table @param {number} slot */
	string(table, slot) {
		const bytes = this.bytesField(table, slot);
		return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
	}

	/** @param {Table} table @param {number} slot @param {number} fallback */
	u8Field(table, slot, fallback = 0) {
		const pos = this.field(table, slot);
		return pos === 0 ? fallback : this.u8(pos);
	}

	/** @param {Table} table @param {number} slot @param {number} fallback */
	u32Field(table, slot, fallback = 0) {
		const pos = this.field(table, slot);
		return pos === 0 ? fallback : this.u32(pos);
	}

	/** @param {Table} table @param {number} slot @param {number} fallback */
	i32Field(table, slot, fallback = 0) {
		const pos = this.field(table, slot);
		return pos === 0 ? fallback : this.i32(pos);
	}

	/** @param {Table} table @param {number} slot @param {number} fallback */
	f32Field(table, slot, fallback = 0) {
		const pos = this.field(table, slot);
		return pos === 0 ? fallback : this.f32(pos);
	}
}

/** @typedef {{ pos: number, vtable: number, slotCount: number }} Table */

/** @param {Uint8Array} bytes */
export function ascii(bytes) {
	return String.fromCharCode(...bytes);
}

// ---------------------------------------------------------------------------------------------
// Writing
//
// Objects are described as plain nodes and serialized parent-first, so every offset points
// forward, as flatbuffers requires. `external(pos)` refers to a position in the original model,
// which ends up after the header; those offsets are resolved once the header size is known.

/**
 * @typedef {{ kind: 'table', fields: Array<Field | undefined> }
 *   | { kind: 'refs', items: Node[] }
 *   | { kind: 'numbers', type: 'u32' | 'f32', values: number[] }
 *   | { kind: 'bytes', bytes: Uint8Array, align: number }
 *   | { kind: 'external', pos: number }} Node
 * @typedef {{ type: 'u8' | 'u32' | 'i32' | 'f32', value: number } | { type: 'ref', node: Node }} Field
 */

/** Trailing absent fields are dropped, so the vtable is no longer than it needs to be. @param {Array<Field | undefined>} fields @returns {Node} */
export const table = (fields) => {
	let end = fields.length;
	while (end > 0 && fields[end - 1] === undefined) end--;
	return { kind: 'table', fields: fields.slice(0, end) };
};
/** @param {Node[]} items @returns {Node} */
export const refs = (items) => ({ kind: 'refs', items });
/** @param {number[]} values @returns {Node} */
export const floats = (values) => ({ kind: 'numbers', type: 'f32', values });
/** @param {number[]} values @returns {Node} */
export const uints = (values) => ({ kind: 'numbers', type: 'u32', values });
/** @param {Uint8Array} bytes @param {number} align of the data, after the length prefix @returns {Node} */
export const byteVector = (bytes, align = 4) => ({ kind: 'bytes', bytes, align });
/** @param {number} pos @returns {Node} */
export const external = (pos) => ({ kind: 'external', pos });
/** Strings are byte vectors with a NUL terminator that is not counted. @param {string} text @returns {Node} */
export const string = (text) => ({ kind: 'bytes', bytes: new TextEncoder().encode(text), align: 4 });
/** @param {number} value @returns {Field} */
export const u8 = (value) => ({ type: 'u8', value });
/** @param {number} value @returns {Field} */
export const u32 = (value) => ({ type: 'u32', value });
/** @param {number} value @returns {Field} */
export const i32 = (value) => ({ type: 'i32', value });
/** @param {number} value @returns {Field} */
export const f32 = (value) => ({ type: 'f32', value });
/** @param {boolean} value @returns {Field} */
export const bool = (value) => ({ type: 'u8', value: value ? 1 : 0 });
/** @param {Node} node @returns {Field} */
export const ref = (node) => ({ type: 'ref', node });
/** @param {Node | undefined} node @returns {Field | undefined} */
export const optionalRef = (node) => (node === undefined ? undefined : ref(node));

export class ForwardBuilder {
	constructor() {
		this.bytes = new Uint8Array(256);
		this.length = 0;
		/** @type {Array<{ at: number, pos: number }>} offsets into the original model */
		this.externals = [];
	}

	/** @param {number} size */
	grow(size) {
		const needed = this.length + size;
		if (needed > this.bytes.length) {
			const bigger = new Uint8Array(Math.max(needed, this.bytes.length * 2));
			bigger.set(this.bytes.subarray(0, this.length));
			this.bytes = bigger;
		}
		const pos = this.length;
		this.length = needed;
		return pos;
	}

	get view() {
		return new DataView(this.bytes.buffer);
	}

	/** Pads with zeros until `length + extra` is a multiple of `alignment`. @param {number} alignment */
	align(alignment, extra = 0) {
		const padding = (alignment - ((this.length + extra) % alignment)) % alignment;
		this.grow(padding);
	}

	/** Writes a flatbuffer whose root is `node`. @param {Node} node @param {string} identifier */
	writeRoot(node, identifier) {
		const at = this.grow(8);
		this.bytes.set(new TextEncoder().encode(identifier), 4);
		this.writeRef(at, node);
	}

	/** Writes `node` after everything so far and stores the offset to it at `at`. @param {number} at @param {Node} node */
	writeRef(at, node) {
		if (node.kind === 'external') {
			this.externals.push({ at, pos: node.pos });
			return;
		}
		const pos = this.write(node);
		this.view.setUint32(at, pos - at, true);
	}

	/** @param {Node} node @returns {number} */
	write(node) {
		switch (node.kind) {
			case 'table':
				return this.writeTable(node.fields);
			case 'refs':
				return this.writeRefs(node.items);
			case 'numbers':
				return this.writeNumbers(node.type, node.values);
			case 'bytes':
				return this.writeBytes(node.bytes, node.align);
			default:
				throw new Error(`cannot write a ${node.kind} node`);
		}
	}

	/** The vtable goes right before its table (a positive soffset). @param {Array<Field | undefined>} fields */
	writeTable(fields) {
		this.align(2);
		const vtable = this.grow(4 + 2 * fields.length);
		this.align(4);
		const tablePos = this.grow(4);
		this.view.setInt32(tablePos, tablePos - vtable, true);
		/** @type {Array<{ at: number, node: Node }>} */
		const children = [];
		fields.forEach((field, slot) => {
			if (field === undefined) return;
			const at = this.writeField(field, children);
			this.view.setUint16(vtable + 4 + 2 * slot, at - tablePos, true);
		});
		this.view.setUint16(vtable, 4 + 2 * fields.length, true);
		this.view.setUint16(vtable + 2, this.length - tablePos, true);
		for (const { at, node } of children) this.writeRef(at, node);
		return tablePos;
	}

	/** @param {Field} field @param {Array<{ at: number, node: Node }>} children */
	writeField(field, children) {
		if (field.type === 'u8') {
			const at = this.grow(1);
			this.view.setUint8(at, field.value);
			return at;
		}
		this.align(4);
		const at = this.grow(4);
		if (field.type === 'u32') this.view.setUint32(at, field.value, true);
		else if (field.type === 'i32') this.view.setInt32(at, field.value, true);
		else if (field.type === 'f32') this.view.setFloat32(at, field.value, true);
		else children.push({ at, node: field.node });
		return at;
	}

	/** @param {Node[]} items */
	writeRefs(items) {
		this.align(4);
		const pos = this.grow(4 + 4 * items.length);
		this.view.setUint32(pos, items.length, true);
		items.forEach((item, i) => this.writeRef(pos + 4 + 4 * i, item));
		return pos;
	}

	/** @param {'u32' | 'f32'} type @param {number[]} values */
	writeNumbers(type, values) {
		this.align(4);
		const pos = this.grow(4 + 4 * values.length);
		this.view.setUint32(pos, values.length, true);
		values.forEach((value, i) => {
			if (type === 'f32') this.view.setFloat32(pos + 4 + 4 * i, value, true);
			else this.view.setUint32(pos + 4 + 4 * i, value, true);
		});
		return pos;
	}

	/**
	 * The data (after the length prefix) is aligned to `alignment`.
	 * @param {Uint8Array} bytes @param {number} alignment
	 */
	writeBytes(bytes, alignment) {
		this.align(Math.max(alignment, 4), 4);
		const pos = this.grow(4 + bytes.length + 1);
		this.view.setUint32(pos, bytes.length, true);
		this.bytes.set(bytes, pos + 4);
		return pos;
	}

	/**
	 * Pads to `alignment` and resolves offsets into whatever gets appended after these bytes.
	 * @param {number} alignment
	 */
	finish(alignment) {
		this.align(alignment);
		for (const { at, pos } of this.externals) this.view.setUint32(at, this.length + pos - at, true);
		return this.bytes.slice(0, this.length);
	}
}
