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
import { IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
export class CreateTenantDto {
    name;
    slug;
    timezone;
    slot_minutes;
    business_hours;
    resource_name;
}
__decorate([
    ApiProperty({ example: 'Downtown Dental' }),
    IsString(),
    Length(1, 200),
    __metadata("design:type", String)
], CreateTenantDto.prototype, "name", void 0);
__decorate([
    ApiProperty({ example: 'downtown-dental', description: 'lowercase letters, digits and dashes' }),
    IsString(),
    Length(1, 64),
    Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, { message: 'slug must be lowercase letters, digits and dashes' }),
    __metadata("design:type", String)
], CreateTenantDto.prototype, "slug", void 0);
__decorate([
    ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone' }),
    IsString(),
    Length(1, 64),
    __metadata("design:type", String)
], CreateTenantDto.prototype, "timezone", void 0);
__decorate([
    ApiPropertyOptional({ example: 30, minimum: 5, maximum: 480 }),
    IsOptional(),
    IsInt(),
    Min(5),
    Max(480),
    __metadata("design:type", Number)
], CreateTenantDto.prototype, "slot_minutes", void 0);
__decorate([
    ApiPropertyOptional({ example: { mon: [['09:00', '17:00']], sat: [] }, description: 'per weekday (sun…sat) a list of [open, close] intervals; missing days are closed' }),
    IsOptional(),
    IsObject(),
    __metadata("design:type", Object)
], CreateTenantDto.prototype, "business_hours", void 0);
__decorate([
    ApiPropertyOptional({ example: 'Dr. Who', description: 'name of the default resource' }),
    IsOptional(),
    IsString(),
    Length(1, 200),
    __metadata("design:type", String)
], CreateTenantDto.prototype, "resource_name", void 0);
export class CreateResourceDto {
    name;
}
__decorate([
    ApiProperty({ example: 'Room 2' }),
    IsString(),
    Length(1, 200),
    __metadata("design:type", String)
], CreateResourceDto.prototype, "name", void 0);
