var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
export class CreateAppointmentDto {
    tenant_id;
    resource_id;
    hold_id;
    start;
    end;
    client_name;
    client_email;
    client_phone;
    service;
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    IsUUID(),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "tenant_id", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: "defaults to the tenant's default resource" }),
    IsOptional(),
    IsUUID(),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "resource_id", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: 'confirm this hold (must match resource and time)' }),
    IsOptional(),
    IsUUID(),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "hold_id", void 0);
__decorate([
    ApiProperty({ example: '2030-01-07T09:00:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "start", void 0);
__decorate([
    ApiProperty({ example: '2030-01-07T09:30:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "end", void 0);
__decorate([
    ApiProperty({ example: 'Ada Lovelace' }),
    IsString(),
    Length(1, 200),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "client_name", void 0);
__decorate([
    ApiProperty({ example: 'ada@example.com' }),
    IsString(),
    MaxLength(254),
    IsEmail({}, { message: 'client_email must be a valid email address' }),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "client_email", void 0);
__decorate([
    ApiPropertyOptional({ example: '+44 20 7946 0958' }),
    IsOptional(),
    IsString(),
    Matches(/^\+?[0-9][0-9 ().-]{5,30}$/, { message: 'client_phone must be a phone number' }),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "client_phone", void 0);
__decorate([
    ApiPropertyOptional({ example: 'Check-up' }),
    IsOptional(),
    IsString(),
    Length(1, 200),
    __metadata("design:type", String)
], CreateAppointmentDto.prototype, "service", void 0);
export class RescheduleDto {
    start;
    end;
}
__decorate([
    ApiProperty({ example: '2030-01-07T10:00:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
    __metadata("design:type", String)
], RescheduleDto.prototype, "start", void 0);
__decorate([
    ApiProperty({ example: '2030-01-07T10:30:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
    __metadata("design:type", String)
], RescheduleDto.prototype, "end", void 0);
export class ListAppointmentsQuery {
    tenant_id;
    from;
    to;
    status;
    limit;
    cursor;
}
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: 'required for the admin key; a tenant key sees its own tenant' }),
    IsOptional(),
    IsUUID(),
    __metadata("design:type", String)
], ListAppointmentsQuery.prototype, "tenant_id", void 0);
__decorate([
    ApiPropertyOptional({ example: '2030-01-01T00:00:00Z' }),
    IsOptional(),
    IsISO8601({ strict: true }),
    __metadata("design:type", String)
], ListAppointmentsQuery.prototype, "from", void 0);
__decorate([
    ApiPropertyOptional({ example: '2030-02-01T00:00:00Z' }),
    IsOptional(),
    IsISO8601({ strict: true }),
    __metadata("design:type", String)
], ListAppointmentsQuery.prototype, "to", void 0);
__decorate([
    ApiPropertyOptional({ enum: ['confirmed', 'cancelled', 'completed', 'no_show'] }),
    IsOptional(),
    IsIn(['confirmed', 'cancelled', 'completed', 'no_show']),
    __metadata("design:type", String)
], ListAppointmentsQuery.prototype, "status", void 0);
__decorate([
    ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(500),
    __metadata("design:type", Number)
], ListAppointmentsQuery.prototype, "limit", void 0);
__decorate([
    ApiPropertyOptional({ description: 'opaque cursor from the previous page' }),
    IsOptional(),
    IsString(),
    MaxLength(200),
    __metadata("design:type", String)
], ListAppointmentsQuery.prototype, "cursor", void 0);
export class AvailabilityQuery {
    tenant_id;
    resource_id;
    date;
}
__decorate([
    ApiPropertyOptional({ format: 'uuid' }),
    IsOptional(),
    IsUUID(),
    __metadata("design:type", String)
], AvailabilityQuery.prototype, "tenant_id", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid' }),
    IsOptional(),
    IsUUID(),
    __metadata("design:type", String)
], AvailabilityQuery.prototype, "resource_id", void 0);
__decorate([
    ApiProperty({ example: '2030-01-07' }),
    Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'date must be YYYY-MM-DD' }),
    __metadata("design:type", String)
], AvailabilityQuery.prototype, "date", void 0);
export class IdParam {
    id;
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    IsUUID(),
    __metadata("design:type", String)
], IdParam.prototype, "id", void 0);
