import { ApiProperty } from '@nestjs/swagger';
import { type WindowRecord } from '@app/storage/records';
import { WindowResponseDto } from './windows.response.dto';

/** The data of a `window` event: one window as its flush wrote it. */
export class LiveWindowDto extends WindowResponseDto {
  @ApiProperty({ example: 'wallstreetbets' }) readonly subreddit!: string;
  @ApiProperty({ example: '1m' }) readonly window!: string;

  static fromRecord(record: WindowRecord): LiveWindowDto {
    return {
      subreddit: record.subreddit,
      window: record.window,
      ...WindowResponseDto.from(record),
    };
  }
}

/** The data of a `gap` event: updates of these partitions were missed and will not be replayed. */
export class LiveGapDto {
  @ApiProperty({ example: [0, 2], type: [Number] }) readonly partitions!: number[];
  @ApiProperty({
    example:
      'updates older than this server keeps were missed; read them from /api/subreddits/{name}/windows or /api/trends',
  })
  readonly message!: string;
}
