import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One audit row as the API shows it (payloads were redacted when the row was written). */
export class AuditEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, description: 'null: the platform chain' }) tenant_id!: string | null;
  @ApiProperty({ example: 'api.request' }) event_type!: string;
  @ApiPropertyOptional({ nullable: true }) entity_type!: string | null;
  @ApiPropertyOptional({ nullable: true }) entity_id!: string | null;
  @ApiProperty({ example: 'key:6f1c…', description: 'key id, `admin`, `system` or `agent`' }) actor!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload!: unknown;
  @ApiPropertyOptional({ nullable: true }) correlation_id!: string | null;
  @ApiProperty({ example: '2031-07-07T08:00:00.123456Z' }) created_at!: string;
  @ApiPropertyOptional({ nullable: true, description: "position in the tenant's hash chain (null until sealed)" }) chain_seq!: number | null;
  @ApiPropertyOptional({ nullable: true }) prev_hash!: string | null;
  @ApiPropertyOptional({ nullable: true }) hash!: string | null;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] }) items!: AuditEntryView[];
  @ApiPropertyOptional({ nullable: true, description: 'pass as `cursor` for the next (older) page' }) next_cursor!: string | null;
}

export class BrokenRowView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() chain_seq!: number;
  @ApiPropertyOptional({ format: 'uuid', nullable: true }) tenant_id!: string | null;
}

export class VerifyResultView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'sealed rows checked' }) checked!: number;
  @ApiProperty({ description: 'chains checked (one per tenant, plus the platform chain)' }) chains!: number;
  @ApiPropertyOptional({ type: BrokenRowView, nullable: true, description: 'the first broken row' }) broken_at!: BrokenRowView | null;
  @ApiProperty({ description: 'rows not sealed yet (their transactions were still committing)' }) unsealed!: number;
  @ApiPropertyOptional({ nullable: true }) reason!: string | null;
}
