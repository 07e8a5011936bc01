import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES, type NotificationChannelName, type NotificationStatus } from '../notification.types.js';

export class ListNotificationsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'the admin key may omit it (every tenant); a tenant key sees its own tenant only' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES })
  @IsOptional() @IsIn(NOTIFICATION_STATUSES)
  status?: NotificationStatus;

  @ApiPropertyOptional({ enum: NOTIFICATION_CHANNELS })
  @IsOptional() @IsIn(NOTIFICATION_CHANNELS)
  channel?: NotificationChannelName;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  appointment_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}
