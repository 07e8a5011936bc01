import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class JobIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}
