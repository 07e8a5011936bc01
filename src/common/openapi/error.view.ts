import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape every failure answers with (see AllExceptionsFilter). */
export class ErrorView {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: "the module's error code (e.g. SLOT_TAKEN, JOB_NOT_FOUND, TOO_MANY_REQUESTS)" }) error!: string;
  @ApiProperty({ example: 'start: must be a valid ISO 8601 date string' }) message!: string;
  @ApiPropertyOptional({ example: 'start', description: 'the input field that is wrong' }) field?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'more about the error (e.g. the policy decision of a POLICY_DENIED)' }) details?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'present on 500/503: quote it when reporting the problem' }) correlation_id?: string;
}
