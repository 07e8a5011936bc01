import { ApiProperty } from '@nestjs/swagger';

const STATUSES = ['confirmed', 'cancelled', 'completed', 'no_show'];

/** An appointment as the API shows it (to its tenant or the admin: the client's details are theirs). */
export class AppointmentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) resource_id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the hold it was booked from' }) hold_id!: string | null;
  @ApiProperty({ example: 'Ada Lovelace' }) client_name!: string;
  @ApiProperty({ example: 'ada@example.com' }) client_email!: string;
  @ApiProperty({ type: String, nullable: true, example: '+44 20 7946 0958' }) client_phone!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Check-up' }) service!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) start!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) end!: Date;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ description: 'bumped on every change (cancel, reschedule, check-in)' }) version!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) checked_in_at!: Date | null;
  @ApiProperty({ enum: ['none', 'pending', 'synced', 'failed'] }) calendar_sync_status!: string;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
}

export class AppointmentPageView {
  @ApiProperty({ type: [AppointmentView] }) items!: AppointmentView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page' }) next_cursor!: string | null;
}
