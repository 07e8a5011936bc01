import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One audit row as the API shows it (payloads were redacted when the row was written). */
export class AuditEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: the platform chain' }) tenant_id!: string | null;
  @ApiProperty({ example: 'api.request' }) event_type!: string;
  @ApiProperty({ type: String, nullable: true }) entity_type!: string | null;
  @ApiProperty({ type: String, nullable: true }) entity_id!: string | null;
  @ApiProperty({ example: 'key:6f1c…', description: 'key id, `admin`, `system` or `agent`' }) actor!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload!: unknown;
  @ApiProperty({ type: String, nullable: true }) correlation_id!: string | null;
  @ApiProperty({ example: '2031-07-07T08:00:00.123456Z' }) created_at!: string;
  @ApiProperty({ type: Number, nullable: true, description: "position in the tenant's hash chain (null until sealed)" }) chain_seq!: number | null;
  @ApiProperty({ type: String, nullable: true }) prev_hash!: string | null;
  @ApiProperty({ type: String, nullable: true }) hash!: string | null;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] }) items!: AuditEntryView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next (older) page' }) next_cursor!: string | null;
}

export class BrokenRowView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() chain_seq!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tenant_id!: string | null;
}

export class VerifyResultView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'sealed rows checked' }) checked!: number;
  @ApiProperty({ description: 'chains checked (one per tenant, plus the platform chain)' }) chains!: number;
  @ApiProperty({ type: BrokenRowView, nullable: true, description: 'the first broken row' }) broken_at!: BrokenRowView | null;
  @ApiProperty({ description: 'rows not sealed yet (their transactions were still committing)' }) unsealed!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}
