import { ApiProperty } from '@nestjs/swagger';

export class SlotView {
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
  @ApiProperty({ description: 'in the future and neither booked nor held' }) available!: boolean;
}

export class AvailabilityView {
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) resource_id!: string;
  @ApiProperty({ example: '2030-01-07', description: "the date in the tenant's timezone" }) date!: string;
  @ApiProperty({ example: 'Europe/Berlin' }) timezone!: string;
  @ApiProperty({ type: [SlotView] }) slots!: SlotView[];
}
