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
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
export class CreateHoldDto {
    tenant_id;
    resource_id;
    start;
    end;
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    IsUUID(),
    __metadata("design:type", String)
], CreateHoldDto.prototype, "tenant_id", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: "defaults to the tenant's default resource" }),
    IsOptional(),
    IsUUID(),
    __metadata("design:type", String)
], CreateHoldDto.prototype, "resource_id", void 0);
__decorate([
    ApiProperty({ example: '2030-01-07T09:00:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
    __metadata("design:type", String)
], CreateHoldDto.prototype, "start", void 0);
__decorate([
    ApiProperty({ example: '2030-01-07T09:30:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
    __metadata("design:type", String)
], CreateHoldDto.prototype, "end", void 0);
