import type {
  ImageCreateInput,
  ImageView,
  JobView,
  RollbackInput,
  VolumeCreateInput,
  VolumeView,
} from '../../contract/index.js';

/** Rollback, volumes and images (composed into Control). */
export interface RestoreApi {
  /** Checks everything (checkRollback) and queues a `restore` job; bad input throws, nothing is queued. */
  startRollback(input: RollbackInput): Promise<JobView>;
  /** Checks (checkCreate) and queues a `create-volume` job. */
  createVolume(input: VolumeCreateInput): Promise<JobView>;
  listVolumes(): Promise<VolumeView[]>;
  getVolume(id: string): Promise<VolumeView>;
  /** Removes the volume (libvirt volume or file) and its record; INVALID_STATE while a domain uses it. */
  deleteVolume(id: string): Promise<void>;
  /** Checks (checkCreate) and queues a `create-image` job (linked ones too: instant, but a job). */
  createImage(input: ImageCreateInput): Promise<JobView>;
  listImages(): Promise<ImageView[]>;
  getImage(name: string): Promise<ImageView>;
  /** Removes the image file and record (lifting a linked image's protection). */
  deleteImage(name: string): Promise<void>;
}
